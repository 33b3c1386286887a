using Dashboard.Domain;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Trail = Dashboard.Features.AuditTrail.AuditTrail;

namespace Dashboard.IntegrationTests.AuditTrail;

/// <summary>Each test class has its own database: these tests alter the log the way only a superuser could.</summary>
public class AuditVerificationTests(SeededApp fixture) : IClassFixture<SeededApp>
{
    private Trail Trail => fixture.App.Services.GetRequiredService<Trail>();
    private string Db => fixture.App.ConnectionString;

    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(Db, login);

    private async Task AppendAsync(int count)
    {
        var log = fixture.App.Services.GetRequiredService<Dashboard.Audit.AuditLog>();
        for (var i = 0; i < count; i++)
        {
            await log.AppendAsync(new Dashboard.Audit.AuditEntry(null, "Test", "test-entry", Detail: $"entry {i}"), CancellationToken.None);
        }
    }

    [Fact]
    public async Task Only_auditors_read_and_verify_the_log_and_a_superusers_edit_breaks_the_chain_at_exactly_that_row()
    {
        var checkpoint = (long)(await Sql.ScalarAsync(Db, "SELECT coalesce(max(id), 0) + 1 FROM audit_events"))!;
        await AppendAsync(5);
        var auditor = await UserAsync("auditor1");
        Assert.Null(await Trail.ListAsync(new Trail.Query(null, null, null, null, null, 0, 10), await UserAsync("supervisor1"), CancellationToken.None));
        Assert.Null(await Trail.VerifyAsync(null, await UserAsync("officer1"), CancellationToken.None));

        var intact = (await Trail.VerifyAsync(checkpoint, auditor, CancellationToken.None))!;
        Assert.True(intact.Intact, intact.Message);
        Assert.StartsWith("The chain is intact:", intact.Message, StringComparison.Ordinal);

        var target = (long)(await Sql.ScalarAsync(Db, "SELECT id FROM audit_events WHERE action = 'test-entry' AND detail = 'entry 2' AND id >= $1", checkpoint))!;
        await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => Sql.ExecuteAsync(Db, "UPDATE audit_events SET detail = 'entry two' WHERE id = $1", target));
        await Sql.ExecuteAsync(Db, "ALTER TABLE audit_events DISABLE TRIGGER USER; UPDATE audit_events SET detail = 'entry two' WHERE id = " + target + "; ALTER TABLE audit_events ENABLE TRIGGER USER;");

        var broken = (await Trail.VerifyAsync(checkpoint, auditor, CancellationToken.None))!;
        Assert.False(broken.Intact);
        Assert.Equal(target, broken.BrokenAt);
        Assert.Equal($"The chain breaks at entry #{target}: its content does not match its hash (it was altered after it was written).", broken.Message);

        // From a checkpoint after the altered row, the rest verifies; the verification runs are themselves on record.
        var fromCheckpoint = (await Trail.VerifyAsync(target + 1, auditor, CancellationToken.None))!;
        Assert.True(fromCheckpoint.Intact, fromCheckpoint.Message);
        Assert.Equal(2, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'audit-verified' AND entity_id = $1", checkpoint.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'audit-verified' AND entity_id = $1", (target + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var listed = (await Trail.ListAsync(new Trail.Query("test", null, "test-entry", null, null, 0, 100), auditor, CancellationToken.None))!;
        Assert.Contains(listed.Rows, r => r.Detail == "entry two" && r.Id == target);
        Assert.Equal(listed.Rows.Select(r => r.Id).OrderByDescending(id => id), listed.Rows.Select(r => r.Id));
    }

    [Fact]
    public async Task A_removed_row_breaks_the_chain_at_the_row_after_it()
    {
        await AppendAsync(3);
        var auditor = await UserAsync("auditor1");
        var ids = new List<long>();
        foreach (var detail in new[] { "entry 0", "entry 1", "entry 2" })
        {
            ids.Add((long)(await Sql.ScalarAsync(Db, "SELECT max(id) FROM audit_events WHERE action = 'test-entry' AND detail = $1", detail))!);
        }

        await Sql.ExecuteAsync(Db, "ALTER TABLE audit_events DISABLE TRIGGER USER; DELETE FROM audit_events WHERE id = " + ids[1] + "; ALTER TABLE audit_events ENABLE TRIGGER USER;");

        var broken = (await Trail.VerifyAsync(ids[0], auditor, CancellationToken.None))!;
        Assert.False(broken.Intact);
        Assert.Equal(ids[2], broken.BrokenAt);
        Assert.Contains("does not link to the entry before it", broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_page_is_for_auditors_only()
    {
        using var officer = await fixture.SignedInClientAsync("officer1");
        using var auditor = await fixture.SignedInClientAsync("auditor1");

        using var refused = await officer.GetAsync(new Uri("/audit", UriKind.Relative));
        var shown = await auditor.GetStringAsync(new Uri("/audit", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/account/access-denied", refused.Headers.Location?.AbsolutePath);
        Assert.Contains("Verify the chain", shown, StringComparison.Ordinal);
    }
}
