using System.Globalization;
using System.Text.RegularExpressions;
using Dashboard.Features.Retention;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Retention;

public class LocationRetentionTests
{
    private static async Task AddFixesAsync(string db, DateOnly day, int count)
    {
        await Sql.ExecuteAsync(db, "SELECT ensure_location_partitions($1, $1)", day);
        for (var i = 0; i < count; i++)
        {
            var at = day.ToDateTime(new TimeOnly(12, i), DateTimeKind.Utc);
            await Sql.ExecuteAsync(db,
                "INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m) VALUES ('demo-0001', $1, gen_random_uuid(), 'SRID=4326;POINT(-0.1 51.5)'::geography, 5)",
                new DateTimeOffset(at));
        }
    }

    private static async Task<string?> PartitionAsync(string db, DateOnly day) =>
        await Sql.ScalarAsync(db, $"SELECT to_regclass('location_pings_{day:yyyyMMdd}')::text") as string;

    [Fact]
    public async Task Partitions_past_the_period_are_dropped_once_across_instances_and_audited_with_counts_the_rest_kept()
    {
        var db = await TestPostgres.CreateMigratedDatabaseAsync("locationretention");
        var firstKept = DateOnly.FromDateTime(DateTime.UtcNow).AddMonths(-12);
        var old = firstKept.AddDays(-40);
        var lastDropped = firstKept.AddDays(-1);
        var recent = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-3);
        await AddFixesAsync(db, old, 3);
        await AddFixesAsync(db, lastDropped, 2);
        await AddFixesAsync(db, firstKept, 1);
        await AddFixesAsync(db, recent, 1);

        // Two instances on one database; each also runs the job when it starts.
        await using var one = new DashboardApp(db).Start();
        await using var two = new DashboardApp(db).Start();
        var outcomes = await Task.WhenAll(
            one.Services.GetRequiredService<LocationRetention>().PurgeAsync(CancellationToken.None),
            two.Services.GetRequiredService<LocationRetention>().PurgeAsync(CancellationToken.None));
        // Whichever run got there first, every run after it finds nothing to do.
        Assert.Equal(new LocationRetention.Outcome(0, 0), await one.Services.GetRequiredService<LocationRetention>().PurgeAsync(CancellationToken.None));

        Assert.Null(await PartitionAsync(db, old));
        Assert.Null(await PartitionAsync(db, lastDropped));
        Assert.NotNull(await PartitionAsync(db, firstKept));
        Assert.NotNull(await PartitionAsync(db, recent));
        Assert.Equal(2, await Sql.CountAsync(db, "SELECT count(*) FROM location_pings"));
        Assert.True(outcomes.Sum(o => o.Partitions) <= 2);

        var details = new List<string>();
        await using (var connection = new Npgsql.NpgsqlConnection(db))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"SELECT detail FROM audit_events WHERE action = '{LocationRetention.Action}' AND actor_name = 'Retention'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                details.Add(reader.GetString(0));
            }
        }

        var counts = details.Select(d => Regex.Match(d, @"dropped (\d+) daily partitions .* holding (\d+) fixes")).ToList();
        Assert.All(counts, m => Assert.True(m.Success));
        Assert.Equal(2, counts.Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
        Assert.Equal(5, counts.Sum(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
        Assert.Contains(details, d => d.Contains("12-month", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_late_fix_for_a_dropped_day_gets_its_partition_again()
    {
        var db = await TestPostgres.CreateMigratedDatabaseAsync("locationretentionlate");
        await using var app = new DashboardApp(db).Start();
        var retention = app.Services.GetRequiredService<LocationRetention>();
        var day = retention.FirstKeptDay().AddDays(-2);
        var partitions = app.Services.GetRequiredService<Dashboard.Data.LocationPartitions>();
        await partitions.EnsureRangeAsync(day, day, CancellationToken.None);

        await retention.PurgeAsync(CancellationToken.None);
        Assert.Null(await PartitionAsync(db, day));
        await partitions.EnsureForAsync([new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc))], CancellationToken.None);

        Assert.NotNull(await PartitionAsync(db, day));
    }
}
