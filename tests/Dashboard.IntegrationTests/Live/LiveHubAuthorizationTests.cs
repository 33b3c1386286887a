using System.Net;
using Dashboard.Live;
using Dashboard.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dashboard.IntegrationTests.Live;

/// <summary>
/// Demo caseloads: demo-0001 belongs to officer1 and demo-0002 to officer2 (North London, supervisor1);
/// demo-0004 to officer4 (South London, supervisor2).
/// </summary>
public class LiveHubAuthorizationTests(LiveApp fixture) : IClassFixture<LiveApp>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task An_unauthenticated_client_cannot_connect()
    {
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => LiveListener.ConnectAsync(fixture.App.BaseAddress, _ => { }));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task A_forged_live_token_is_refused()
    {
        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            LiveListener.ConnectAsync(fixture.App.BaseAddress, o => o.AccessTokenProvider = () => Task.FromResult<string?>("CfDJ8forged-token")));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task An_officer_receives_their_caseload_only()
    {
        await using var officer = await LiveListener.ConnectAsync(fixture.App.BaseAddress, "officer1");

        var other = await fixture.PostCheckInAsync("demo-0004");
        var own = await fixture.PostCheckInAsync("demo-0001", match: 0.6);

        var received = await officer.WaitForAsync(own);
        Assert.Equal(Dashboard.Domain.CheckInOutcome.Borderline, received.Outcome);
        Assert.Equal(1, received.PolicyVersion);
        Assert.False(await officer.ArrivesWithinAsync(other, Quiet));
    }

    [Fact]
    public async Task A_supervisor_receives_their_team_only()
    {
        await using var supervisor = await LiveListener.ConnectAsync(fixture.App.BaseAddress, "supervisor1");

        var otherTeam = await fixture.PostCheckInAsync("demo-0005");
        var team = await fixture.PostCheckInAsync("demo-0002");

        await supervisor.WaitForAsync(team);
        Assert.False(await supervisor.ArrivesWithinAsync(otherTeam, Quiet));
    }

    [Fact]
    public async Task An_auditor_receives_every_caseload()
    {
        await using var auditor = await LiveListener.ConnectAsync(fixture.App.BaseAddress, "auditor1");

        var north = await fixture.PostCheckInAsync("demo-0003");
        var south = await fixture.PostCheckInAsync("demo-0006");

        await auditor.WaitForAsync(north);
        await auditor.WaitForAsync(south);
    }

    [Fact]
    public async Task Watching_a_subject_outside_the_caseload_is_refused_and_audited_and_inside_it_is_allowed()
    {
        await using var officer = await LiveListener.ConnectAsync(fixture.App.BaseAddress, "officer1");
        var outside = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0004'"))!;
        var inside = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0007'"))!;

        var refused = await Assert.ThrowsAsync<HubException>(() => officer.Connection.InvokeAsync("WatchSubject", outside));
        await officer.Connection.InvokeAsync("WatchSubject", inside);

        Assert.Contains("You may not watch this subject: it is not in your caseload.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM audit_events WHERE action = 'access-refused' AND subject_id = $1 AND actor_name = 'Amira Hassan'", outside));
        var watched = await fixture.PostCheckInAsync("demo-0007");
        await officer.WaitForAsync(watched);
    }

    [Fact]
    public async Task A_check_in_whose_transaction_fails_is_never_published()
    {
        await using var auditor = await LiveListener.ConnectAsync(fixture.App.BaseAddress, "auditor1");
        // A trigger that fails the insert of one particular score, after the row was written.
        await Sql.ExecuteAsync(fixture.App.ConnectionString, """
            CREATE OR REPLACE FUNCTION test_fail_checkin() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.match_score = 0.123 THEN RAISE EXCEPTION 'simulated failure'; END IF; RETURN NEW; END $$;
            DROP TRIGGER IF EXISTS test_fail_checkin ON check_ins;
            CREATE CONSTRAINT TRIGGER test_fail_checkin AFTER INSERT ON check_ins DEFERRABLE INITIALLY IMMEDIATE
                FOR EACH ROW EXECUTE FUNCTION test_fail_checkin();
            """);
        try
        {
            using var client = fixture.Partner();
            var eventId = Guid.NewGuid();
            var body = $$"""{"eventId":"{{eventId}}","deviceId":"demo-0008","capturedAt":"{{IngestionApp.Now()}}","matchScore":0.123,"livenessScore":0.9}""";

            var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(body));
            var after = await fixture.PostCheckInAsync("demo-0008");

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal(0, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM check_ins WHERE event_id = $1", eventId));
            var first = await auditor.WaitForAsync(after);
            Assert.Equal("demo-0008", first.DeviceId);
            Assert.Equal(0.9, first.MatchScore);
        }
        finally
        {
            await Sql.ExecuteAsync(fixture.App.ConnectionString, "DROP TRIGGER IF EXISTS test_fail_checkin ON check_ins");
        }
    }
}
