using Dashboard.Data;
using Dashboard.Simulator;
using Dashboard.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dashboard.IntegrationTests.Skeleton;

public class SchemaAndSeedTests
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_database_with_a_partitioned_location_table_and_the_first_policy()
    {
        var connectionString = await TestPostgres.CreateEmptyDatabaseAsync("migrate");
        await using var app = new DashboardApp(connectionString) { Migrate = true }.Start();

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        Assert.Equal("20261127151236_Initial", await ScalarAsync<string>(connection, "SELECT migration_id FROM __ef_migrations_history ORDER BY migration_id LIMIT 1"));
        Assert.Equal('p', await ScalarAsync<char>(connection, "SELECT relkind FROM pg_class WHERE relname = 'location_pings'"));
        var todaysPartition = "location_pings_" + DateTime.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(1L, await ScalarAsync<long>(connection, $"SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname = '{todaysPartition}'"));
        Assert.True(await ScalarAsync<long>(connection, "SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'location_pings'") >= 8,
            "a week of partitions is created ahead");
        Assert.Equal(0.80, await ScalarAsync<double>(connection, "SELECT accept_match FROM policy_versions WHERE version = 1"));
        Assert.Equal(0L, await ScalarAsync<long>(connection, "SELECT count(*) FROM subjects"));
    }

    [Fact]
    public async Task Seeding_twice_leaves_one_copy_of_the_demo_service()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("seed");
        await using var app = new DashboardApp(connectionString) { SeedDemo = true }.Start();

        await app.Services.GetRequiredService<DemoSeeder>().SeedAsync(CancellationToken.None);

        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<DashboardDb>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        Assert.Equal(2, await db.Teams.CountAsync());
        Assert.Equal(["auditor1", "officer1", "officer2", "officer3", "officer4", "officer5", "officer6", "supervisor1", "supervisor2"],
            await db.Staff.OrderBy(s => s.LoginName).Select(s => s.LoginName).ToListAsync());
        Assert.Equal(60, await db.Subjects.CountAsync());
        Assert.Equal(60, await db.Devices.CountAsync());
        Assert.True(await db.Devices.AnyAsync(d => d.Id == "demo-0001") && await db.Devices.AnyAsync(d => d.Id == "demo-0060"));
        Assert.Equal(60, await db.Photos.CountAsync(p => p.Kind == Dashboard.Domain.PhotoKind.Reference));
        Assert.Equal(60, await db.Zones.CountAsync(z => z.Kind == Dashboard.Domain.ZoneKind.Exclusion));
        Assert.Equal(60, await db.Zones.CountAsync(z => z.Kind == Dashboard.Domain.ZoneKind.Inclusion && z.CurfewStart != null));
        Assert.Equal(10, await db.Subjects.GroupBy(s => s.OfficerId).Select(g => g.Count()).MaxAsync());
        Assert.Equal(10, await db.Subjects.GroupBy(s => s.OfficerId).Select(g => g.Count()).MinAsync());
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
