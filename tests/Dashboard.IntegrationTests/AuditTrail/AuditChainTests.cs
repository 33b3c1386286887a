using Dashboard.Audit;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Trail = Dashboard.Features.AuditTrail.AuditTrail;

namespace Dashboard.IntegrationTests.AuditTrail;

/// <summary>The audit chain under concurrent writers, the auditors' filters, and the trigger's refusal.</summary>
public class AuditChainTests(SeededApp fixture) : IClassFixture<SeededApp>
{
    private string Db => fixture.App.ConnectionString;

    private Trail Trail => fixture.App.Services.GetRequiredService<Trail>();

    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(Db, login);

    [Fact]
    public async Task Two_instances_appending_in_parallel_keep_one_unforked_chain_with_every_entry()
    {
        // A second instance of the app on the same database: its own connection pool, its own AuditLog.
        await using var second = new DashboardApp(Db).Start();
        var logs = new[] { fixture.App.Services.GetRequiredService<AuditLog>(), second.Services.GetRequiredService<AuditLog>() };
        var checkpoint = Convert.ToInt64(await Sql.ScalarAsync(Db, "SELECT coalesce(max(id), 0) + 1 FROM audit_events"), System.Globalization.CultureInfo.InvariantCulture);
        var run = Guid.NewGuid().ToString("N");
        const int writers = 8;
        const int each = 25;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await logs[w % 2].AppendAsync(new AuditEntry(null, $"Writer {w}", "test-concurrent", EntityId: run, Detail: $"{w}/{i}"), CancellationToken.None);
            }
        })));

        Assert.Equal(writers * each, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'test-concurrent' AND entity_id = $1", run));
        Assert.Equal(writers * each, await Sql.CountAsync(Db, "SELECT count(DISTINCT detail) FROM audit_events WHERE action = 'test-concurrent' AND entity_id = $1", run));
        // A fork would show as two entries linking to the same predecessor.
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM (SELECT previous_hash FROM audit_events GROUP BY previous_hash HAVING count(*) > 1) forks"));
        var verified = (await Trail.VerifyAsync(checkpoint, await UserAsync("auditor1"), CancellationToken.None))!;
        Assert.True(verified.Intact, verified.Message);
        Assert.True(verified.RowsChecked >= writers * each, verified.Message);
    }

    [Fact]
    public async Task The_log_filters_by_person_and_by_time()
    {
        var auditor = await UserAsync("auditor1");
        var person = (Guid)(await Sql.ScalarAsync(Db, "SELECT subject_id FROM devices WHERE id = 'demo-0003'"))!;
        var reference = (string)(await Sql.ScalarAsync(Db, "SELECT case_reference FROM subjects WHERE id = $1", person))!;
        var other = (Guid)(await Sql.ScalarAsync(Db, "SELECT subject_id FROM devices WHERE id = 'demo-0004'"))!;
        var log = fixture.App.Services.GetRequiredService<AuditLog>();
        await log.AppendAsync(new AuditEntry(null, "Filter test", "test-filter", person, Detail: "about the person"), CancellationToken.None);
        await log.AppendAsync(new AuditEntry(null, "Filter test", "test-filter", other, Detail: "about someone else"), CancellationToken.None);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        await log.AppendAsync(new AuditEntry(null, "Filter test", "test-filter", person, Detail: "later about the person"), CancellationToken.None);

        var byPerson = (await Trail.ListAsync(new Trail.Query(null, reference, "test-filter", null, null, 0, 50), auditor, CancellationToken.None))!;
        Assert.Equal(["later about the person", "about the person"], byPerson.Rows.Select(r => r.Detail));
        Assert.All(byPerson.Rows, r => Assert.Equal(reference, r.Subject));

        var before = (await Trail.ListAsync(new Trail.Query(null, null, "test-filter", null, between, 0, 50), auditor, CancellationToken.None))!;
        var after = (await Trail.ListAsync(new Trail.Query(null, null, "test-filter", between, null, 0, 50), auditor, CancellationToken.None))!;
        Assert.Equal(["about someone else", "about the person"], before.Rows.Select(r => r.Detail));
        Assert.Equal(["later about the person"], after.Rows.Select(r => r.Detail));
        Assert.Equal(1, after.Total);
    }

    [Fact]
    public async Task Deleting_an_entry_is_refused_by_the_database_with_a_message_that_says_why()
    {
        var first = Convert.ToInt64(await Sql.ScalarAsync(Db, "SELECT min(id) FROM audit_events"), System.Globalization.CultureInfo.InvariantCulture);

        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => Sql.ExecuteAsync(Db, "DELETE FROM audit_events WHERE id = $1", first));

        Assert.Equal("audit_events is append-only: DELETE is refused", refused.MessageText);
        Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE id = $1", first));
    }
}
