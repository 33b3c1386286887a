using Dashboard.Domain;
using Dashboard.Features.Oversight;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Oversight;

/// <summary>
/// Proportionality reviews and the check-in burden against real PostgreSQL. Every subject's review is
/// moved far ahead first, then one of officer1's (team North) is made overdue and one of officer4's
/// (team South) due soon, so each queue's content is known exactly.
/// </summary>
public class MonitoringReviewTests(SeededApp fixture) : IClassFixture<SeededApp>, IAsyncLifetime
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private Guid _north;
    private Guid _south;
    private Guid _ended;

    private string Db => fixture.App.ConnectionString;
    private ListMonitoringReviews List => fixture.App.Services.GetRequiredService<ListMonitoringReviews>();
    private RecordMonitoringReview Record => fixture.App.Services.GetRequiredService<RecordMonitoringReview>();
    private GetCheckInBurden Burden => fixture.App.Services.GetRequiredService<GetCheckInBurden>();
    private static DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, London).DateTime);

    public async Task InitializeAsync()
    {
        _north = await SubjectOfAsync("officer1", 0);
        _ended = await SubjectOfAsync("officer1", 1);
        _south = await SubjectOfAsync("officer4", 0);
        await Sql.ExecuteAsync(Db, "UPDATE subjects SET review_due_on = $1, monitoring_end = NULL", Today.AddDays(200));
        await Sql.ExecuteAsync(Db, "UPDATE subjects SET review_due_on = $1 WHERE id = $2", Today.AddDays(-5), _north);
        await Sql.ExecuteAsync(Db, "UPDATE subjects SET review_due_on = $1 WHERE id = $2", Today.AddDays(3), _south);
        // Overdue, but no longer monitored: nobody's queue.
        await Sql.ExecuteAsync(Db, "UPDATE subjects SET review_due_on = $1, monitoring_end = now() - interval '1 day' WHERE id = $2", Today.AddDays(-30), _ended);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<Guid> SubjectOfAsync(string officer, int index) =>
        (Guid)(await Sql.ScalarAsync(Db, "SELECT s.id FROM subjects s JOIN staff o ON o.id = s.officer_id WHERE o.login_name = $1 ORDER BY s.case_reference OFFSET $2 LIMIT 1", officer, index))!;

    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(Db, login);

    private async Task<List<(Guid, MonitoringReviewStatus)>> QueueAsync(string login) =>
        [.. (await List.HandleAsync(await UserAsync(login), CancellationToken.None)).Select(i => (i.SubjectId, i.Status))];

    private static RecordMonitoringReview.Command Review(Guid subject, DateOnly due, MonitoringReviewOutcome outcome = MonitoringReviewOutcome.Continue) =>
        new(subject, due, [.. MonitoringReviewRules.Conditions.Select(c => new ConditionFinding(c, true, null))], true, null,
            "Says the evening curfew makes shift work hard.", outcome, "Compliant for three months; risk unchanged.", Today.AddMonths(3));

    [Fact]
    public async Task Due_and_overdue_reviews_appear_only_in_the_queues_of_their_officer_their_supervisor_and_auditors()
    {
        Assert.Equal([(_north, MonitoringReviewStatus.Overdue)], await QueueAsync("officer1"));
        Assert.Empty(await QueueAsync("officer2"));
        Assert.Equal([(_south, MonitoringReviewStatus.DueSoon)], await QueueAsync("officer4"));
        Assert.Equal([(_north, MonitoringReviewStatus.Overdue)], await QueueAsync("supervisor1"));
        Assert.Equal([(_south, MonitoringReviewStatus.DueSoon)], await QueueAsync("supervisor2"));
        Assert.Equal([(_north, MonitoringReviewStatus.Overdue), (_south, MonitoringReviewStatus.DueSoon)], await QueueAsync("auditor1"));

        Assert.Equal(1, await List.CountOverdueAsync(await UserAsync("supervisor1"), CancellationToken.None));
        Assert.Equal(0, await List.CountOverdueAsync(await UserAsync("supervisor2"), CancellationToken.None));
    }

    [Fact]
    public async Task Nobody_outside_the_caseload_and_no_auditor_can_record_a_review_and_nothing_changes()
    {
        var outsider = await Record.HandleAsync(Review(_south, Today.AddDays(3)), await UserAsync("officer1"), CancellationToken.None);
        var otherTeam = await Record.HandleAsync(Review(_south, Today.AddDays(3)), await UserAsync("supervisor1"), CancellationToken.None);
        var auditor = await Record.HandleAsync(Review(_south, Today.AddDays(3)), await UserAsync("auditor1"), CancellationToken.None);

        Assert.IsType<OversightResult.NotFound>(outsider);
        Assert.IsType<OversightResult.NotFound>(otherTeam);
        Assert.Equal("Only officers and supervisors record monitoring reviews.", Assert.IsType<OversightResult.Refused>(auditor).Message);
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM monitoring_reviews WHERE subject_id = $1", _south));
        Assert.Equal(Today.AddDays(3), DateOnly.FromDateTime((DateTime)(await Sql.ScalarAsync(Db, "SELECT review_due_on::timestamp FROM subjects WHERE id = $1", _south))!));
    }

    [Fact]
    public async Task A_recorded_review_sets_the_next_due_date_leaves_the_queue_is_audited_and_a_simultaneous_second_one_is_refused()
    {
        var officer = await UserAsync("officer4");
        var supervisor = await UserAsync("supervisor2");

        var results = await Task.WhenAll(
            Record.HandleAsync(Review(_south, Today.AddDays(3)), officer, CancellationToken.None),
            Record.HandleAsync(Review(_south, Today.AddDays(3), MonitoringReviewOutcome.Vary), supervisor, CancellationToken.None));

        Assert.Single(results, r => r is OversightResult.Done);
        Assert.Equal("Someone recorded this review a moment ago. Reload to see it.", Assert.IsType<OversightResult.Refused>(Assert.Single(results, r => r is not OversightResult.Done)).Message);
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM monitoring_reviews WHERE subject_id = $1 AND due_on = $2 AND next_due_on = $3 AND representations IS NOT NULL AND jsonb_array_length(conditions) = 3", _south, Today.AddDays(3), Today.AddMonths(3)));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM subjects WHERE id = $1 AND review_due_on = $2", _south, Today.AddMonths(3)));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'monitoring-review-recorded' AND subject_id = $1", _south));
        Assert.Empty(await QueueAsync("officer4"));
        Assert.Empty(await QueueAsync("supervisor2"));
    }

    [Fact]
    public async Task The_check_in_burden_counts_prompts_outside_the_waking_hours_response_times_and_device_faults_in_scope_only()
    {
        var subject = await SubjectOfAsync("officer2", 0);
        var device = (string)(await Sql.ScalarAsync(Db, "SELECT id FROM devices WHERE subject_id = $1", subject))!;
        var day = Today.AddDays(-3);
        DateTimeOffset At(int hour, int minute) => new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, minute)), London), TimeSpan.Zero);
        var answered = Guid.NewGuid();
        var checkIn = Guid.NewGuid();
        await Sql.ExecuteAsync(Db, """
            INSERT INTO prompts (id, subject_id, device_id, due_at, window_ends_at, status, origin) VALUES
                ($1, $2, $3, $4, $4 + interval '15 minutes', 'Answered', 'Scheduled'),
                (gen_random_uuid(), $2, $3, $5, $5 + interval '15 minutes', 'Missed', 'Reprompt')
            """, answered, subject, device, At(10, 0), At(3, 30));
        await Sql.ExecuteAsync(Db, """
            INSERT INTO check_ins (id, event_id, subject_id, device_id, prompt_id, captured_at, received_at, match_score, liveness_score, outcome,
                policy_version, accept_match, reject_match, accept_liveness, reject_liveness, synthetic)
            VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, $5, 0.9, 0.9, 'Verified', 1, 0.8, 0.5, 0.7, 0.3, false)
            """, checkIn, subject, device, answered, At(10, 3));
        await Sql.ExecuteAsync(Db, "UPDATE prompts SET check_in_id = $1 WHERE id = $2", checkIn, answered);
        await Sql.ExecuteAsync(Db, """
            INSERT INTO device_events (id, event_id, device_id, subject_id, at, kind, received_at)
            VALUES (gen_random_uuid(), gen_random_uuid(), $1, $2, $3, 'StrapTamper', $3)
            """, device, subject, At(12, 0));

        var burden = await Burden.HandleAsync(subject, await UserAsync("officer2"), CancellationToken.None);
        var outsider = await Burden.HandleAsync(subject, await UserAsync("officer1"), CancellationToken.None);

        Assert.Null(outsider);
        Assert.NotNull(burden);
        var that = burden.PerDay.Single(d => d.Date == day);
        Assert.Equal(30, burden.PerDay.Count);
        Assert.True(that.Prompts >= 2);
        Assert.Equal(1, that.OutsideWindow);
        Assert.Equal(1, that.Reprompts);
        Assert.True(burden.ResponseTimes.Single(b => b.Label == "2 to 5 min").Count >= 1);
        Assert.True(burden.DeviceFaults.Single(f => f.Kind == DeviceEventKind.StrapTamper).Count >= 1);
        Assert.Equal(0, burden.PerDay.Where(d => d.Date != day).Sum(d => d.OutsideWindow));
    }
}
