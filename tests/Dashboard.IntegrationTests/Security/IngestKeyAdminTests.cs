using System.Net;
using Dashboard.Features.Admin;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Security;

public class IngestKeyAdminTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    private IngestKeyAdmin Admin => fixture.App.Services.GetRequiredService<IngestKeyAdmin>();
    private string Db => fixture.App.ConnectionString;

    private async Task<HttpStatusCode> PostCheckInWithAsync(string key)
    {
        using var partner = fixture.Partner(key);
        var response = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"demo-0001","capturedAt":"{{IngestionApp.Now()}}","matchScore":0.9,"livenessScore":0.9}"""));
        return response.StatusCode;
    }

    [Theory]
    [InlineData("officer1")]
    [InlineData("auditor1")]
    public async Task Officers_and_auditors_cannot_list_create_or_revoke_keys(string login)
    {
        var user = await StaffUsers.UserAsync(Db, login);
        var keys = await Sql.CountAsync(Db, "SELECT count(*) FROM ingest_clients");

        Assert.Null(await Admin.ListAsync(user, CancellationToken.None));
        Assert.IsType<IngestKeyAdmin.Result.Refused>(await Admin.CreateAsync("Rogue platform", user, CancellationToken.None));
        Assert.IsType<IngestKeyAdmin.Result.Refused>(await Admin.RevokeAsync(fixture.ClientId, user, CancellationToken.None));

        Assert.Equal(keys, await Sql.CountAsync(Db, "SELECT count(*) FROM ingest_clients"));
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM ingest_clients WHERE revoked_at IS NOT NULL AND id = $1", fixture.ClientId));
        using var client = await fixture.SignedInClientAsync(login);
        var page = await client.GetAsync(new Uri("/admin/ingest-keys", UriKind.Relative));
        Assert.Contains("/account/access-denied", page.Headers.Location?.OriginalString ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_supervisors_new_key_works_at_once_is_stored_only_as_a_hash_and_once_revoked_gets_401()
    {
        var supervisor = await StaffUsers.UserAsync(Db, "supervisor2");

        var created = Assert.IsType<IngestKeyAdmin.Result.Created>(await Admin.CreateAsync("  Tag supplier B  ", supervisor, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Accepted, await PostCheckInWithAsync(created.Secret));

        Assert.Equal("Tag supplier B", created.Key.Name);
        Assert.StartsWith($"dk_{created.Key.Prefix}_", created.Secret, StringComparison.Ordinal);
        Assert.Contains(await Admin.ListAsync(supervisor, CancellationToken.None) ?? [], k => k.Id == created.Key.Id && k.RevokedAt is null);
        // Only the salted hash is stored; the audit row names the prefix, never the key.
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM ingest_clients WHERE position(convert_to($1, 'UTF8') in key_hash) > 0 OR name = $1", created.Secret));
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE strpos(coalesce(detail, '') || coalesce(entity_id, ''), $1) > 0", created.Secret));
        Assert.Equal(1, await Sql.CountAsync(Db,
            "SELECT count(*) FROM audit_events WHERE action = $1 AND entity_id = $2 AND actor_id IS NOT NULL",
            IngestKeyAdmin.CreatedAction, created.Key.Id.ToString()));

        var revoked = await Admin.RevokeAsync(created.Key.Id, supervisor, CancellationToken.None);

        Assert.IsType<IngestKeyAdmin.Result.Revoked>(revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, await PostCheckInWithAsync(created.Secret));
        Assert.Equal(HttpStatusCode.Accepted, await PostCheckInWithAsync(fixture.Key));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = $1 AND entity_id = $2 AND actor_id IS NOT NULL",
            IngestKeyAdmin.RevokedAction, created.Key.Id.ToString()));
        Assert.IsType<IngestKeyAdmin.Result.Refused>(await Admin.RevokeAsync(created.Key.Id, supervisor, CancellationToken.None));
        Assert.IsType<IngestKeyAdmin.Result.NotFound>(await Admin.RevokeAsync(Guid.NewGuid(), supervisor, CancellationToken.None));
    }

    [Fact]
    public async Task A_supervisor_sees_the_page_and_it_never_shows_a_stored_key()
    {
        using var client = await fixture.SignedInClientAsync("supervisor1");

        var page = await client.GetAsync(new Uri("/admin/ingest-keys", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Ingest keys", html, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Key, html, StringComparison.Ordinal);
    }
}
