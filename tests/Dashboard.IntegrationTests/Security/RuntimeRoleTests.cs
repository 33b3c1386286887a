using Dashboard.Data;
using Dashboard.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dashboard.IntegrationTests.Security;

/// <summary>
/// The app serves requests as a runtime login with data rights only. Even with the append-only trigger
/// gone (as a careless owner might leave it), that login cannot change or remove audit rows, nor the schema.
/// </summary>
public class RuntimeRoleTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    private string Db => fixture.App.ConnectionString;

    private string Runtime => fixture.App.Services.GetRequiredService<IConfiguration>().GetConnectionString(DatabaseStartup.ConnectionStringName)!;

    private async Task<PostgresException> RefusedAsync(string sql)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => Sql.ExecuteAsync(Runtime, sql));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        return error;
    }

    [Fact]
    public async Task The_runtime_login_cannot_update_delete_or_truncate_the_audit_log_even_without_the_trigger()
    {
        Assert.Equal(DatabaseStartup.DefaultRuntimeRole, new NpgsqlConnectionStringBuilder(Runtime).Username);
        await fixture.App.Services.GetRequiredService<Dashboard.Audit.AuditLog>()
            .AppendAsync(new Dashboard.Audit.AuditEntry(null, "Test", "test-entry", Detail: "kept"), CancellationToken.None);
        var rows = await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events");
        await Sql.ExecuteAsync(Db, "ALTER TABLE audit_events DISABLE TRIGGER USER");
        try
        {
            var update = await RefusedAsync("UPDATE audit_events SET detail = 'changed'");
            var delete = await RefusedAsync("DELETE FROM audit_events");
            var truncate = await RefusedAsync("TRUNCATE audit_events");

            // Refused by permissions, not by the trigger (which is off).
            Assert.Contains("permission denied for table audit_events", update.MessageText, StringComparison.Ordinal);
            Assert.Contains("permission denied for table audit_events", delete.MessageText, StringComparison.Ordinal);
            Assert.Contains("permission denied for table audit_events", truncate.MessageText, StringComparison.Ordinal);
            Assert.Equal(rows, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events"));
            Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE detail = 'changed'"));
        }
        finally
        {
            await Sql.ExecuteAsync(Db, "ALTER TABLE audit_events ENABLE TRIGGER USER");
        }
    }

    [Fact]
    public async Task The_runtime_login_has_no_ddl_rights_and_cannot_switch_the_trigger_off()
    {
        await RefusedAsync("ALTER TABLE audit_events DISABLE TRIGGER USER");
        await RefusedAsync("DROP TRIGGER audit_events_no_update_delete ON audit_events");
        await RefusedAsync("CREATE TABLE scratch (id int)");
        await RefusedAsync("DROP TABLE subjects");
        await RefusedAsync("CREATE ROLE intruder");
    }

    [Fact]
    public async Task The_runtime_login_reads_and_appends_the_audit_log_and_the_app_works_through_it()
    {
        Assert.Equal(1, await Sql.CountAsync(Runtime, "SELECT count(*) FROM (SELECT 1 FROM audit_events LIMIT 1) a"));
        var before = await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events");

        // A check-in (COPY-free insert path, alerts, audit) and a day's partition made on demand for a late fix.
        await fixture.PostCheckInAsync("demo-0001", match: 0.1);
        var lateDay = DateTime.UtcNow.Date.AddDays(-20);
        await fixture.App.Services.GetRequiredService<LocationPartitions>()
            .EnsureRangeAsync(DateOnly.FromDateTime(lateDay), DateOnly.FromDateTime(lateDay), CancellationToken.None);

        Assert.IsType<string>(await Sql.ScalarAsync(Db, $"SELECT to_regclass('location_pings_{lateDay:yyyyMMdd}')::text"));
        Assert.Equal("postgres", await Sql.ScalarAsync(Db, $"SELECT tableowner FROM pg_tables WHERE tablename = 'location_pings_{lateDay:yyyyMMdd}'"));
        Assert.True(await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events") >= before);
    }
}
