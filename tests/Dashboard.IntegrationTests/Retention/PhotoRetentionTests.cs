using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Features.Retention;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Retention;

/// <summary>officer1 holds demo-0001, demo-0007, demo-0013, ...</summary>
public class PhotoRetentionTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    private PhotoRetention Retention => fixture.App.Services.GetRequiredService<PhotoRetention>();

    private string Db => fixture.App.ConnectionString;

    private async Task<(Guid CheckIn, Guid Photo)> CheckInWithPhotoAsync(string device, double match)
    {
        using var partner = fixture.Partner();
        var image = Convert.ToBase64String(Dashboard.Simulator.SyntheticFace.Render(3, 1));
        var response = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(
            $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"{{device}}","capturedAt":"{{IngestionApp.Now()}}","matchScore":{{match}},"livenessScore":0.9,"photoJpegBase64":"{{image}}"}"""));
        response.EnsureSuccessStatusCode();
        var checkIn = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checkInId").GetGuid();
        var photo = (Guid)(await Sql.ScalarAsync(Db, "SELECT photo_id FROM check_ins WHERE id = $1", checkIn))!;
        return (checkIn, photo);
    }

    private Task<long> PhotoCountAsync(Guid photo) => Sql.CountAsync(Db, "SELECT count(*) FROM photos WHERE id = $1", photo);

    [Fact]
    public async Task A_photo_past_its_decided_period_is_deleted_the_check_in_keeps_its_scores_and_the_deletion_is_audited()
    {
        var (checkIn, photo) = await CheckInWithPhotoAsync("demo-0013", 0.1);
        await Sql.ExecuteAsync(Db, "UPDATE photos SET retain_until = now() - interval '1 minute' WHERE id = $1", photo);

        await Retention.PurgeAsync(CancellationToken.None);

        Assert.Equal(0, await PhotoCountAsync(photo));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM check_ins WHERE id = $1 AND photo_id IS NULL AND match_score = 0.1", checkIn));
        Assert.Equal(1, await Sql.CountAsync(Db,
            "SELECT count(*) FROM audit_events WHERE action = 'photo-deleted' AND entity_id = $1 AND actor_name = 'Retention' AND subject_id IS NOT NULL", checkIn.ToString()));
    }

    [Fact]
    public async Task A_photo_that_is_evidence_in_a_proposed_breach_is_kept_past_its_period()
    {
        var (checkIn, photo) = await CheckInWithPhotoAsync("demo-0019", 0.1);
        var alert = (Guid)(await Sql.ScalarAsync(Db, "SELECT id FROM alerts WHERE check_in_id = $1", checkIn))!;
        var officer1 = await UserAsync("officer1");
        var proposed = await fixture.App.Services.GetRequiredService<ProposeBreach>()
            .HandleAsync(new ProposeBreach.Command([alert], "Identity not verified at the evening check-in."), officer1, CancellationToken.None);
        Assert.IsType<Dashboard.Features.Breaches.ActionResult.Done>(proposed);
        await Sql.ExecuteAsync(Db, "UPDATE photos SET retain_until = now() - interval '1 minute' WHERE id = $1", photo);

        await Retention.PurgeAsync(CancellationToken.None);

        Assert.Equal(1, await PhotoCountAsync(photo));
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'photo-deleted' AND entity_id = $1", checkIn.ToString()));
    }

    [Fact]
    public async Task Legal_hold_a_pending_review_and_a_recent_photo_are_kept_an_old_one_goes()
    {
        var (_, held) = await CheckInWithPhotoAsync("demo-0025", 0.1);
        await Sql.ExecuteAsync(Db, "UPDATE photos SET retain_until = now() - interval '1 minute', legal_hold = true WHERE id = $1", held);
        var (_, awaitingReview) = await CheckInWithPhotoAsync("demo-0031", 0.7);
        await Sql.ExecuteAsync(Db, "UPDATE photos SET created_at = now() - interval '40 days' WHERE id = $1", awaitingReview);
        var (_, recent) = await CheckInWithPhotoAsync("demo-0037", 0.95);
        var (_, old) = await CheckInWithPhotoAsync("demo-0043", 0.95);
        await Sql.ExecuteAsync(Db, "UPDATE photos SET created_at = now() - interval '31 days' WHERE id = $1", old);
        var references = await Sql.CountAsync(Db, "SELECT count(*) FROM photos WHERE kind = 'Reference'");

        await Retention.PurgeAsync(CancellationToken.None);

        Assert.Equal(1, await PhotoCountAsync(held));
        Assert.Equal(1, await PhotoCountAsync(awaitingReview));
        Assert.Equal(1, await PhotoCountAsync(recent));
        Assert.Equal(0, await PhotoCountAsync(old));
        Assert.Equal(references, await Sql.CountAsync(Db, "SELECT count(*) FROM photos WHERE kind = 'Reference'"));
    }

    [Fact]
    public async Task Each_purge_that_deletes_photos_is_audited_once_with_its_counts_and_an_empty_one_is_not()
    {
        var (_, decided) = await CheckInWithPhotoAsync("demo-0049", 0.1);
        await Sql.ExecuteAsync(Db, "UPDATE photos SET retain_until = now() - interval '1 minute' WHERE id = $1", decided);
        var (_, old) = await CheckInWithPhotoAsync("demo-0055", 0.95);
        await Sql.ExecuteAsync(Db, "UPDATE photos SET created_at = now() - interval '31 days' WHERE id = $1", old);
        var mark = Convert.ToInt64(await Sql.ScalarAsync(Db, "SELECT coalesce(max(id), 0) FROM audit_events"), System.Globalization.CultureInfo.InvariantCulture);

        var deleted = await Retention.PurgeAsync(CancellationToken.None);
        var nothing = await Retention.PurgeAsync(CancellationToken.None);

        Assert.Equal(2, deleted);
        Assert.Equal(0, nothing);
        Assert.Equal(2, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE id > $1 AND action = 'photo-deleted'", mark));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE id > $1 AND action = $2", mark, PhotoRetention.RunAction));
        Assert.Equal("Retention deleted 2 check-in photos: 1 at the end of a period a review decision set, 1 older than the 30-day retention period.",
            await Sql.ScalarAsync(Db, "SELECT detail FROM audit_events WHERE id > $1 AND action = $2 AND actor_name = 'Retention' AND entity_id = '2'", mark, PhotoRetention.RunAction));
    }

    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(Db, login);
}
