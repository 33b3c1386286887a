using System.Globalization;
using Dashboard.Audit;
using Dashboard.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dashboard.Features.Retention;

/// <summary>
/// Least data for locations: once a day, detaches and drops the daily partitions of <c>location_pings</c>
/// whose every fix is older than <see cref="RetentionOptions.LocationMonths"/>, and writes one audit row per
/// batch with the number of partitions and fixes, in the same transaction as the drop. Partition DDL needs
/// the schema owner, so it runs on the owner's login when one is configured. Safe on several instances: it
/// takes the lock that partition creation takes, and looks at the partitions again under it.
/// </summary>
public sealed class LocationRetention(
    DatabaseLogins logins,
    NpgsqlDataSource runtime,
    AuditLog audit,
    LocationPartitions partitions,
    IOptions<RetentionOptions> options,
    TimeProvider clock,
    ILogger<LocationRetention> logger) : BackgroundService
{
    public const string Action = "location-partitions-dropped";

    /// <summary>The advisory lock <c>ensure_location_partitions</c> takes: creation and removal never overlap.</summary>
    private const long PartitionLock = 7270011;

    private const int BatchSize = 31;

    /// <summary>What one run removed.</summary>
    public sealed record Outcome(int Partitions, long Rows);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(options.Value.LocationIntervalHours), clock);
        do
        {
            try
            {
                var outcome = await PurgeAsync(stoppingToken);
                if (outcome.Partitions > 0)
                {
                    logger.LogInformation("Retention dropped {Partitions} location partitions holding {Rows} fixes", outcome.Partitions, outcome.Rows);
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                logger.LogError(
                    "Location retention needs the schema owner's login to drop partitions: set ConnectionStrings:DashboardMigrations");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed run must not stop the app; the next run tries again.
                logger.LogError(ex, "Location retention could not run; it will try again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>The first day whose partition is kept: every fix before it is past the retention period.</summary>
    public DateOnly FirstKeptDay() =>
        DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddMonths(-options.Value.LocationMonths);

    /// <summary>Drops every partition past the period, in batches; answers how many and how many fixes.</summary>
    public async Task<Outcome> PurgeAsync(CancellationToken ct)
    {
        var total = new Outcome(0, 0);
        NpgsqlDataSource? ownerSource = null;
        try
        {
            if (logins.Owner is not null)
            {
                var builder = new NpgsqlDataSourceBuilder(logins.Owner);
                builder.UseNetTopologySuite();
                ownerSource = builder.Build();
            }

            while (true)
            {
                var batch = await PurgeBatchAsync(ownerSource ?? runtime, ct);
                total = new Outcome(total.Partitions + batch.Partitions, total.Rows + batch.Rows);
                if (batch.Partitions < BatchSize)
                {
                    return total;
                }
            }
        }
        finally
        {
            if (ownerSource is not null)
            {
                await ownerSource.DisposeAsync();
            }
        }
    }

    private async Task<Outcome> PurgeBatchAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var firstKept = FirstKeptDay();
        var dbOptions = new DbContextOptionsBuilder<DashboardDb>();
        DataSetup.Configure(dbOptions, dataSource);
        await using var db = new DashboardDb(dbOptions.Options);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Dropping a partition locks the whole table briefly: give up rather than hold ingestion up for long.
        await db.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '10s'", ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({PartitionLock})", ct);
        var names = await db.Database.SqlQueryRaw<string>("""
            SELECT c.relname AS "Value"
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'location_pings'::regclass AND c.relname ~ '^location_pings_[0-9]+$' AND length(c.relname) = 23
            ORDER BY c.relname
            """).ToListAsync(ct);
        var due = names
            .Select(n => (Name: n, Day: DateOnly.ParseExact(n["location_pings_".Length..], "yyyyMMdd", CultureInfo.InvariantCulture)))
            .Where(p => p.Day < firstKept)
            .Take(BatchSize)
            .ToList();
        if (due.Count == 0)
        {
            return new Outcome(0, 0);
        }

        long rows = 0;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        foreach (var (name, _) in due)
        {
            // Names come from the catalogue and match location_pings_YYYYMMDD: safe to quote into DDL.
            await using (var count = new NpgsqlCommand($"SELECT count(*) FROM \"{name}\"", connection))
            {
                rows += (long)(await count.ExecuteScalarAsync(ct))!;
            }

            await using var drop = new NpgsqlCommand($"ALTER TABLE location_pings DETACH PARTITION \"{name}\"; DROP TABLE \"{name}\";", connection);
            await drop.ExecuteNonQueryAsync(ct);
        }

        var first = due[0].Day;
        var last = due[^1].Day;
        // The packed trails of those days go with them (and any older ones a partition dropped before left).
        foreach (var table in (string[])["trail_chunks", "trail_hours"])
        {
            // The table name is one of two constants.
            await using var chunks = new NpgsqlCommand($"DELETE FROM {table} WHERE hour < $1", connection);
            chunks.Parameters.AddWithValue(last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
            await chunks.ExecuteNonQueryAsync(ct);
        }

        await audit.AppendAsync(db, new AuditEntry(null, "Retention", Action, null, "location-partitions",
            string.Create(CultureInfo.InvariantCulture, $"{first:yyyy-MM-dd}..{last:yyyy-MM-dd}"),
            string.Create(CultureInfo.InvariantCulture,
                $"Location retention dropped {due.Count} daily partitions ({first:yyyy-MM-dd} to {last:yyyy-MM-dd}) holding {rows} fixes, older than the {options.Value.LocationMonths}-month period.")), ct);
        await tx.CommitAsync(ct);
        foreach (var (_, day) in due)
        {
            partitions.Forget(day);
        }

        return new Outcome(due.Count, rows);
    }
}
