using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Dashboard.Domain;
using Dashboard.Features.Oversight;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dashboard.IntegrationTests.Oversight;

/// <summary>
/// Threshold governance against real PostgreSQL. Only one test approves a change (each approval must take
/// effect after the last), the others work on proposals they close or on a period of 2020 of their own.
/// </summary>
public class ThresholdGovernanceTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    private static readonly ThresholdValues Stricter = new(AcceptMatch: 0.90, RejectMatch: 0.55, AcceptLiveness: 0.70, RejectLiveness: 0.30);

    private string Db => fixture.App.ConnectionString;
    private RunThresholdReplay Replay => fixture.App.Services.GetRequiredService<RunThresholdReplay>();
    private ProposeThresholdChange Propose => fixture.App.Services.GetRequiredService<ProposeThresholdChange>();
    private DecideThresholdProposal Decide => fixture.App.Services.GetRequiredService<DecideThresholdProposal>();

    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(Db, login);

    private async Task<Guid> ProposeAsync(string login, TimeSpan effectiveIn, ThresholdValues? values = null)
    {
        var user = await UserAsync(login);
        var v = values ?? Stricter;
        var now = DateTimeOffset.UtcNow;
        var replay = Assert.IsType<RunThresholdReplay.Result.Done>(await Replay.HandleAsync(new(now.AddDays(-7), now, v), user, CancellationToken.None));
        var done = Assert.IsType<OversightResult.Done>(await Propose.HandleAsync(new(v, now + effectiveIn, "Too many false verifications on older watches.", replay.Summary), user, CancellationToken.None));
        return done.Id!.Value;
    }

    private Task<long> AuditCountAsync(string action, Guid proposal) =>
        Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = $1 AND entity_id = $2", action, proposal.ToString());

    [Fact]
    public async Task Officers_and_auditors_can_neither_replay_nor_propose_and_nothing_is_stored()
    {
        var before = await Sql.CountAsync(Db, "SELECT count(*) FROM threshold_proposals");
        foreach (var login in new[] { "officer1", "auditor1" })
        {
            var user = await UserAsync(login);
            var now = DateTimeOffset.UtcNow;
            Assert.IsType<RunThresholdReplay.Result.Refused>(await Replay.HandleAsync(new(now.AddDays(-7), now, Stricter), user, CancellationToken.None));
            var fake = ThresholdReplay.Summarise([], now.AddDays(-7), now, Stricter, now);
            Assert.IsType<OversightResult.Refused>(await Propose.HandleAsync(new(Stricter, now.AddDays(1), "Because I think so, really.", fake), user, CancellationToken.None));
            Assert.IsType<RunThresholdReplay.Result.Refused>(await Replay.HandleAsync(new(now.AddDays(-7), now, Stricter), user, CancellationToken.None));
        }

        Assert.Equal(before, await Sql.CountAsync(Db, "SELECT count(*) FROM threshold_proposals"));
    }

    [Fact]
    public async Task A_proposal_without_a_replay_of_exactly_its_values_is_refused()
    {
        var supervisor = await UserAsync("supervisor1");
        var now = DateTimeOffset.UtcNow;
        var other = Assert.IsType<RunThresholdReplay.Result.Done>(await Replay.HandleAsync(new(now.AddDays(-1), now, Stricter with { AcceptMatch = 0.95 }), supervisor, CancellationToken.None));

        var none = await Propose.HandleAsync(new(Stricter, now.AddDays(1), "Too many false verifications.", null), supervisor, CancellationToken.None);
        var mismatched = await Propose.HandleAsync(new(Stricter, now.AddDays(1), "Too many false verifications.", other.Summary), supervisor, CancellationToken.None);

        Assert.Equal("Run the what-if replay for these values before proposing them.", Assert.IsType<OversightResult.Refused>(none).Message);
        Assert.Equal("Run the what-if replay for these values before proposing them.", Assert.IsType<OversightResult.Refused>(mismatched).Message);
    }

    [Fact]
    public async Task The_proposer_cannot_approve_or_reject_their_own_change_officers_cannot_either_and_nothing_changes()
    {
        var proposal = await ProposeAsync("supervisor1", TimeSpan.FromDays(2));
        var supervisor1 = await UserAsync("supervisor1");
        var officer = await UserAsync("officer1");
        var auditor = await UserAsync("auditor1");
        var versions = await Sql.CountAsync(Db, "SELECT count(*) FROM policy_versions");

        Assert.Equal("A different supervisor must approve this change: you proposed it.", Assert.IsType<OversightResult.Refused>(await Decide.ApproveAsync(proposal, supervisor1, CancellationToken.None)).Message);
        Assert.Equal("A different supervisor must reject this change: you proposed it.", Assert.IsType<OversightResult.Refused>(await Decide.RejectAsync(proposal, "Changed my mind entirely.", supervisor1, CancellationToken.None)).Message);
        Assert.IsType<OversightResult.Refused>(await Decide.ApproveAsync(proposal, officer, CancellationToken.None));
        Assert.IsType<OversightResult.Refused>(await Decide.ApproveAsync(proposal, auditor, CancellationToken.None));
        Assert.IsType<OversightResult.Refused>(await Decide.WithdrawAsync(proposal, await UserAsync("supervisor2"), CancellationToken.None));

        Assert.Equal(versions, await Sql.CountAsync(Db, "SELECT count(*) FROM policy_versions"));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM threshold_proposals WHERE id = $1 AND state = 'Proposed' AND decided_by IS NULL", proposal));
        Assert.Equal(1, await AuditCountAsync("threshold-proposed", proposal));

        Assert.IsType<OversightResult.Done>(await Decide.WithdrawAsync(proposal, supervisor1, CancellationToken.None));
        Assert.Equal(1, await AuditCountAsync("threshold-withdrawn", proposal));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM threshold_proposals WHERE id = $1 AND state = 'Withdrawn'", proposal));
    }

    [Fact]
    public async Task A_rejection_needs_a_reason_keeps_it_and_is_audited()
    {
        var proposal = await ProposeAsync("supervisor2", TimeSpan.FromDays(3));
        var supervisor1 = await UserAsync("supervisor1");

        Assert.IsType<OversightResult.Refused>(await Decide.RejectAsync(proposal, "", supervisor1, CancellationToken.None));
        Assert.IsType<OversightResult.Done>(await Decide.RejectAsync(proposal, "The replay contradicts too many reviewer decisions.", supervisor1, CancellationToken.None));
        Assert.IsType<OversightResult.Refused>(await Decide.ApproveAsync(proposal, supervisor1, CancellationToken.None));

        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM threshold_proposals WHERE id = $1 AND state = 'Rejected' AND decided_by = $2 AND decision_reason LIKE 'The replay contradicts%'", proposal, supervisor1.Id));
        Assert.Equal(1, await AuditCountAsync("threshold-proposed", proposal));
        Assert.Equal(1, await AuditCountAsync("threshold-rejected", proposal));
        Assert.Equal(0, await AuditCountAsync("threshold-approved", proposal));
    }

    [Fact]
    public async Task An_approved_change_judges_check_ins_only_from_its_effective_time_on_every_instance_and_old_check_ins_keep_their_version()
    {
        // A second instance on the same database, whose clock we can move past the effective time.
        var clock = new ShiftedClock();
        await using var other = fixture.App.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        using var partner = other.CreateClient();
        partner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Key);

        // The other instance judges (and caches the versions) before the change exists.
        var before = await PostAsync(partner, clock, "demo-0001", 0.85);
        var versionsBefore = await Sql.CountAsync(Db, "SELECT max(version) FROM policy_versions");

        var proposal = await ProposeAsync("supervisor1", TimeSpan.FromMinutes(10));
        var approved = await Decide.ApproveAsync(proposal, await UserAsync("supervisor2"), CancellationToken.None);
        Assert.IsType<OversightResult.Done>(approved);
        var version = versionsBefore + 1;

        // Before the effective time both instances still judge by the old version.
        var stillOld = await PostAsync(partner, clock, "demo-0001", 0.85);
        var here = await fixture.PostCheckInAsync("demo-0007", 0.85, 0.9);

        clock.Shift = TimeSpan.FromMinutes(11);
        var after = await PostAsync(partner, clock, "demo-0001", 0.85);

        Assert.Equal(("Verified", (int)versionsBefore), await OutcomeAsync(before));
        Assert.Equal(("Verified", (int)versionsBefore), await OutcomeAsync(stillOld));
        Assert.Equal(("Verified", (int)versionsBefore), await OutcomeAsync(here));
        Assert.Equal(("Borderline", (int)version), await OutcomeAsync(after));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM check_ins WHERE id = $1 AND accept_match = 0.90 AND reject_match = 0.55", after));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM policy_versions WHERE version = $1 AND accept_match = 0.90 AND approved_by IS NOT NULL AND proposed_by IS NOT NULL AND approved_by <> proposed_by", (int)version));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM threshold_proposals WHERE id = $1 AND state = 'Approved' AND policy_version = $2 AND replay_summary IS NOT NULL", proposal, (int)version));
        Assert.Equal(1, await AuditCountAsync("threshold-approved", proposal));
    }

    [Fact]
    public async Task The_replay_query_counts_exactly_what_the_policy_would_decide_by_model_and_london_hour()
    {
        // A period of 2020 across the spring clock change, with nothing else in it.
        var from = new DateTimeOffset(2020, 3, 25, 0, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2020, 4, 3, 0, 0, 0, TimeSpan.Zero);
        var items = await SeedPastCheckInsAsync(from, to, 400);
        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

        foreach (var values in new[] { Stricter, new ThresholdValues(0.70, 0.40, 0.60, 0.20), ThresholdValues.Of(MatchingPolicy.Default) })
        {
            var expected = ThresholdReplay.Cells(items, values, london);
            var actual = await Replay.CellsAsync(from, to, values, CancellationToken.None);

            var differences = Sorted(expected).Except(Sorted(actual)).Concat(Sorted(actual).Except(Sorted(expected)).Select(x => "db: " + x)).ToList();
            Assert.True(differences.Count == 0, string.Join('\n', differences.Take(10)));
        }

        var summary = ThresholdReplay.Summarise(await Replay.CellsAsync(from, to, Stricter, CancellationToken.None), from, to, Stricter, to);
        Assert.Equal(items.Count(i => i.Outcome != CheckInOutcome.Missed), summary.Total);
        Assert.True(summary.Moved > 0);
        Assert.True(summary.Contradictions.SamePersonNowFailed > 0);
    }

    private static List<string> Sorted(IEnumerable<ReplayCell> cells) => [.. cells.Select(c => c.ToString()).Order(StringComparer.Ordinal)];

    private async Task<List<ReplayItem>> SeedPastCheckInsAsync(DateTimeOffset from, DateTimeOffset to, int count)
    {
        var random = new Random(42);
        var items = new List<ReplayItem>();
        await using var connection = new NpgsqlConnection(Db);
        await connection.OpenAsync();
        var devices = new List<(string Id, Guid Subject, string Model)>();
        await using (var read = new NpgsqlCommand("SELECT id, subject_id, model FROM devices ORDER BY id LIMIT 12", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                devices.Add((reader.GetString(0), reader.GetGuid(1), reader.GetString(2)));
            }
        }

        var policy = MatchingPolicy.Default;
        for (var i = 0; i < count; i++)
        {
            var device = devices[random.Next(devices.Count)];
            var at = from.AddMinutes(random.Next((int)(to - from).TotalMinutes));
            // Scores in steps of 0.01 so that some fall exactly on thresholds.
            var match = Math.Round(random.Next(30, 100) / 100.0, 2);
            var liveness = Math.Round(random.Next(15, 100) / 100.0, 2);
            var outcome = i % 50 == 0 ? CheckInOutcome.Missed : policy.Classify(match, liveness);
            ReviewDecision? decision = outcome == CheckInOutcome.Borderline && random.Next(3) > 0 ? (ReviewDecision)random.Next(4) : null;
            var id = Guid.NewGuid();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO check_ins (id, event_id, subject_id, device_id, captured_at, received_at, match_score, liveness_score, outcome,
                    policy_version, accept_match, reject_match, accept_liveness, reject_liveness, synthetic)
                VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, 1, 0.8, 0.5, 0.7, 0.3, $9)
                """, connection);
            insert.Parameters.AddWithValue(id);
            insert.Parameters.AddWithValue(Guid.NewGuid());
            insert.Parameters.AddWithValue(device.Subject);
            insert.Parameters.AddWithValue(device.Id);
            insert.Parameters.AddWithValue(at);
            insert.Parameters.AddWithValue(match);
            insert.Parameters.AddWithValue(liveness);
            insert.Parameters.AddWithValue(outcome.ToString());
            insert.Parameters.AddWithValue(outcome == CheckInOutcome.Missed);
            await insert.ExecuteNonQueryAsync();
            if (outcome == CheckInOutcome.Borderline)
            {
                await using var review = new NpgsqlCommand("""
                    INSERT INTO reviews (id, check_in_id, subject_id, created_at, due_by, decision, decided_at)
                    VALUES ($1, $2, $3, $4, $4 + interval '2 hours', $5, $6)
                    """, connection);
                review.Parameters.AddWithValue(Guid.NewGuid());
                review.Parameters.AddWithValue(id);
                review.Parameters.AddWithValue(device.Subject);
                review.Parameters.AddWithValue(at);
                review.Parameters.AddWithValue((object?)decision?.ToString() ?? DBNull.Value);
                review.Parameters.AddWithValue(decision is null ? DBNull.Value : at.AddMinutes(30));
                await review.ExecuteNonQueryAsync();
            }

            items.Add(new ReplayItem(device.Model, at, match, liveness, outcome, decision));
        }

        return items;
    }

    private static async Task<Guid> PostAsync(HttpClient partner, TimeProvider clock, string device, double match)
    {
        var body = string.Create(CultureInfo.InvariantCulture,
            $"{{\"eventId\":\"{Guid.NewGuid()}\",\"deviceId\":\"{device}\",\"capturedAt\":\"{clock.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ}\",\"matchScore\":{match},\"livenessScore\":0.9}}");
        var response = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(body));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("checkInId").GetGuid();
    }

    private async Task<(string, int)> OutcomeAsync(Guid checkIn)
    {
        var row = (string)(await Sql.ScalarAsync(Db, "SELECT outcome || '|' || policy_version FROM check_ins WHERE id = $1", checkIn))!;
        var parts = row.Split('|');
        return (parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
