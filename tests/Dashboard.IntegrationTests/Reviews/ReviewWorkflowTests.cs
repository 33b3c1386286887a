using System.Net;
using Dashboard.Domain;
using Dashboard.Features.Reviews;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Reviews;

/// <summary>officer1 holds demo-0001, demo-0007, ...; officer2 holds demo-0002, ...; officer4 (South London) holds demo-0004.</summary>
public class ReviewWorkflowTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    private static readonly string[] LosingMessages =
        ["Someone else decided this check-in a moment ago. Reload to see their decision.", "This check-in has already been decided."];

    private ClaimReview Claims => fixture.App.Services.GetRequiredService<ClaimReview>();
    private DecideReview Decide => fixture.App.Services.GetRequiredService<DecideReview>();

    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(fixture.App.ConnectionString, login);

    private async Task<Guid> BorderlineAsync(string device, bool photo = true)
    {
        using var partner = fixture.Partner();
        var image = photo ? $",\"photoJpegBase64\":\"{Convert.ToBase64String(Dashboard.Simulator.SyntheticFace.Render(7, 2))}\"" : "";
        var response = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"{{device}}","capturedAt":"{{IngestionApp.Now()}}","matchScore":0.7,"livenessScore":0.9{{image}}}"""));
        response.EnsureSuccessStatusCode();
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checkInId").GetGuid();
    }

    [Fact]
    public async Task An_officer_cannot_claim_or_decide_another_caseloads_item_and_nothing_changes()
    {
        var item = await BorderlineAsync("demo-0004");
        var officer1 = await UserAsync("officer1");

        Assert.IsType<ReviewResult.NotFound>(await Claims.ClaimAsync(item, officer1, CancellationToken.None));
        Assert.IsType<ReviewResult.NotFound>(await Decide.HandleAsync(new(item, ReviewDecision.NotSamePerson, "x"), officer1, CancellationToken.None));
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM reviews WHERE check_in_id = $1 AND claimed_by IS NULL AND decision IS NULL", item));
    }

    [Fact]
    public async Task A_claim_shows_the_holder_blocks_others_and_can_be_taken_once_it_expires()
    {
        var item = await BorderlineAsync("demo-0007");
        var officer1 = await UserAsync("officer1");
        var supervisor1 = await UserAsync("supervisor1");

        Assert.IsType<ReviewResult.Done>(await Claims.ClaimAsync(item, officer1, CancellationToken.None));
        var blocked = await Claims.ClaimAsync(item, supervisor1, CancellationToken.None);
        var blockedDecision = await Decide.HandleAsync(new(item, ReviewDecision.SamePersonNoConcern, null), supervisor1, CancellationToken.None);
        await Sql.ExecuteAsync(fixture.App.ConnectionString, "UPDATE reviews SET claimed_until = now() - interval '1 second' WHERE check_in_id = $1", item);
        var afterExpiry = await Claims.ClaimAsync(item, supervisor1, CancellationToken.None);

        Assert.Equal("Amira Hassan is reviewing this check-in.", Assert.IsType<ReviewResult.Refused>(blocked).Message);
        Assert.StartsWith("Amira Hassan is reviewing this check-in", Assert.IsType<ReviewResult.Refused>(blockedDecision).Message, StringComparison.Ordinal);
        Assert.IsType<ReviewResult.Done>(afterExpiry);
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM reviews WHERE check_in_id = $1 AND claimed_by = $2", item, supervisor1.Id));
    }

    [Fact]
    public async Task Two_reviewers_deciding_at_the_same_moment_store_exactly_one_decision()
    {
        var item = await BorderlineAsync("demo-0013");
        var officer1 = await UserAsync("officer1");
        Assert.IsType<ReviewResult.Done>(await Claims.ClaimAsync(item, officer1, CancellationToken.None));

        // The same reviewer in two tabs: both pass the claim check, only one commit can win.
        var results = await Task.WhenAll(
            Decide.HandleAsync(new(item, ReviewDecision.NotSamePerson, "Different person."), officer1, CancellationToken.None),
            Decide.HandleAsync(new(item, ReviewDecision.SamePersonWithConcern, "Bruise on the cheek."), officer1, CancellationToken.None));

        Assert.Single(results, r => r is ReviewResult.Done);
        var refused = Assert.IsType<ReviewResult.Refused>(Assert.Single(results, r => r is not ReviewResult.Done));
        Assert.Contains(refused.Message, LosingMessages);
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM alerts WHERE check_in_id = $1", item));
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM audit_events WHERE action = 'review-decided' AND entity_id = $1", item.ToString()));
    }

    [Fact]
    public async Task Same_person_without_concern_deletes_the_photo_keeps_the_scores_and_is_audited()
    {
        var item = await BorderlineAsync("demo-0019");
        var officer1 = await UserAsync("officer1");
        await Claims.ClaimAsync(item, officer1, CancellationToken.None);

        Assert.IsType<ReviewResult.Done>(await Decide.HandleAsync(new(item, ReviewDecision.SamePersonNoConcern, null), officer1, CancellationToken.None));

        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM check_ins WHERE id = $1 AND photo_id IS NULL AND match_score = 0.7", item));
        Assert.Equal(0, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM alerts WHERE check_in_id = $1", item));
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM audit_events WHERE action = 'review-decided' AND entity_id = $1 AND detail LIKE 'Same person, nothing of concern.%photo deleted.'", item.ToString()));
    }

    [Fact]
    public async Task The_dashboard_shows_a_borderline_check_in_decided_same_person_as_verified_by_review()
    {
        var officer1 = await UserAsync("officer1");
        var prompt = Guid.NewGuid();
        await Sql.ExecuteAsync(fixture.App.ConnectionString, """
            INSERT INTO prompts (id, subject_id, device_id, due_at, window_ends_at, status, origin)
            SELECT $1, subject_id, id, now() - interval '2 minutes', now() + interval '28 minutes', 'Pending', 'Scheduled' FROM devices WHERE id = 'demo-0055'
            """, prompt);
        var item = await BorderlineAsync("demo-0055", photo: false);
        var board = fixture.App.Services.GetRequiredService<Dashboard.Features.Board.GetDashboard>();
        Dashboard.Features.Board.GetDashboard.Cell CellOf(Dashboard.Features.Board.GetDashboard.Result result) =>
            result.Rows.SelectMany(r => r.Cells).Single(c => c.PromptId == prompt);
        Assert.Equal(Dashboard.Features.Board.CellOutcome.Borderline, CellOf(await board.HandleAsync(officer1, CancellationToken.None)).Outcome);

        await Claims.ClaimAsync(item, officer1, CancellationToken.None);
        Assert.IsType<ReviewResult.Done>(await Decide.HandleAsync(new(item, ReviewDecision.SamePersonNoConcern, null), officer1, CancellationToken.None));

        var cell = CellOf(await board.HandleAsync(officer1, CancellationToken.None));
        Assert.Equal(item, cell.CheckInId);
        Assert.Equal(Dashboard.Features.Board.CellOutcome.VerifiedByReview, cell.Outcome);
    }

    [Fact]
    public async Task Cannot_tell_needs_a_reason_and_asks_the_device_for_a_fresh_check_in_within_fifteen_minutes_or_at_the_start_of_waking_hours()
    {
        // By day the fresh check-in is asked for at once; at night it waits for the morning.
        var earliest = PromptSchedule.EarliestWaking(DateTimeOffset.UtcNow, new ScheduleOptions());
        var latest = PromptSchedule.EarliestWaking(DateTimeOffset.UtcNow.AddMinutes(2), new ScheduleOptions()).AddMinutes(15);
        var item = await BorderlineAsync("demo-0025", photo: false);
        var officer1 = await UserAsync("officer1");
        await Claims.ClaimAsync(item, officer1, CancellationToken.None);

        var withoutReason = await Decide.HandleAsync(new(item, ReviewDecision.CannotTell, " "), officer1, CancellationToken.None);
        var withReason = await Decide.HandleAsync(new(item, ReviewDecision.CannotTell, "Face in shadow."), officer1, CancellationToken.None);

        Assert.Equal("Give a reason for this decision.", Assert.IsType<ReviewResult.Refused>(withoutReason).Message);
        Assert.IsType<ReviewResult.Done>(withReason);
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString, """
            SELECT count(*) FROM reviews r JOIN prompts p ON p.id = r.reprompt_id
            WHERE r.check_in_id = $1 AND p.follows_check_in_id = $1 AND p.origin = 'Reprompt' AND p.status = 'Pending'
              AND p.device_id = 'demo-0025' AND p.due_at >= $2 AND p.due_at <= $3
            """, item, earliest, latest));
    }

    [Fact]
    public async Task An_auditor_can_read_but_not_claim_or_decide()
    {
        var item = await BorderlineAsync("demo-0031");
        var auditor = await UserAsync("auditor1");

        Assert.Equal("Auditors can read reviews but not claim them.", Assert.IsType<ReviewResult.Refused>(await Claims.ClaimAsync(item, auditor, CancellationToken.None)).Message);
        Assert.Equal("Auditors can read reviews but not decide them.", Assert.IsType<ReviewResult.Refused>(await Decide.HandleAsync(new(item, ReviewDecision.NotSamePerson, "x"), auditor, CancellationToken.None)).Message);
    }

    [Fact]
    public async Task A_photo_is_served_uncached_only_within_scope_and_every_view_is_audited()
    {
        var item = await BorderlineAsync("demo-0037");
        var photoId = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT photo_id FROM check_ins WHERE id = $1", item))!;
        using var officer1 = await fixture.SignedInClientAsync("officer1");
        using var officer4 = await fixture.SignedInClientAsync("officer4");
        using var anonymous = fixture.App.CreateClient(new() { AllowAutoRedirect = false });

        var seen = await officer1.GetAsync(new Uri($"/photos/{photoId}?purpose=review", UriKind.Relative));
        var outside = await officer4.GetAsync(new Uri($"/photos/{photoId}?purpose=review", UriKind.Relative));
        var noSignIn = await anonymous.GetAsync(new Uri($"/photos/{photoId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
        Assert.Equal("image/jpeg", seen.Content.Headers.ContentType?.MediaType);
        Assert.True(seen.Headers.CacheControl?.NoStore);
        Assert.Equal([0xFF, 0xD8, 0xFF], (await seen.Content.ReadAsByteArrayAsync())[..3]);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, noSignIn.StatusCode);
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM audit_events WHERE action = 'photo-viewed' AND entity_id = $1 AND actor_name = 'Amira Hassan' AND detail = 'CheckIn photo viewed for review.'", photoId.ToString()));
    }

    [Fact]
    public async Task The_review_quality_panel_is_for_supervisors_and_counts_same_person_decisions_by_device_model()
    {
        var officer1 = await UserAsync("officer1");
        foreach (var (device, decision) in new[] { ("demo-0043", ReviewDecision.SamePersonNoConcern), ("demo-0049", ReviewDecision.NotSamePerson) })
        {
            var item = await BorderlineAsync(device, photo: false);
            await Claims.ClaimAsync(item, officer1, CancellationToken.None);
            Assert.IsType<ReviewResult.Done>(await Decide.HandleAsync(new(item, decision, "Checked against the reference."), officer1, CancellationToken.None));
        }

        using var supervisor = await fixture.SignedInClientAsync("supervisor1");
        using var officer = await fixture.SignedInClientAsync("officer1");

        var page = WebUtility.HtmlDecode(await supervisor.GetStringAsync(new Uri("/reviews/quality", UriKind.Relative)));
        var refused = await officer.GetAsync(new Uri("/reviews/quality", UriKind.Relative));

        Assert.Contains("Decided “same person”, by device model", page, StringComparison.Ordinal);
        Assert.Matches(@"<td>\d+</td>", page);
        Assert.Contains("Amira Hassan", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/account/access-denied", refused.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }
}
