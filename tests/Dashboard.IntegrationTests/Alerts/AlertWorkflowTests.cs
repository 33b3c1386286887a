using System.Net;
using Dashboard.Domain;
using Dashboard.Features.Alerts;
using Dashboard.Features.Breaches;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Alerts;

/// <summary>
/// Subject i (device demo-000i) belongs to officer ((i-1) % 6) + 1: officer1 holds demo-0001, demo-0007, ...
/// (team North, supervisor1); officer4 holds demo-0004, demo-0010, ... (team South, supervisor2).
/// Each test works on subjects of its own, so the tests share one seeded database.
/// </summary>
public class AlertWorkflowTests(SeededApp fixture) : IClassFixture<SeededApp>
{
    private string Db => fixture.App.ConnectionString;
    private T Use<T>() where T : notnull => fixture.App.Services.GetRequiredService<T>();

    private Task<CurrentUser> UserAsync(string login) => StaffUsers.UserAsync(Db, login);

    private async Task<Guid> SubjectAsync(string device) => (Guid)(await Sql.ScalarAsync(Db, "SELECT subject_id FROM devices WHERE id = $1", device))!;

    private async Task<Guid> AlertAsync(string device, AlertKind kind = AlertKind.MissedCheckIn, AlertState state = AlertState.Open, double hoursAgo = 1, int occurrences = 1)
    {
        var id = Guid.CreateVersion7();
        await Sql.ExecuteAsync(Db, """
            INSERT INTO alerts (id, subject_id, kind, state, episode_key, raised_at, summary, occurrences)
            SELECT $1, subject_id, $2, $3, $1::text, now() - make_interval(secs => $4), 'Test alert ' || $2, $5 FROM devices WHERE id = $6
            """, id, kind.ToString(), state.ToString(), hoursAgo * 3600, occurrences, device);
        return id;
    }

    private async Task<(string State, uint Version)> RowAsync(Guid alertId)
    {
        var row = (string)(await Sql.ScalarAsync(Db, "SELECT state || '|' || xmin::text FROM alerts WHERE id = $1", alertId))!;
        var parts = row.Split('|');
        return (parts[0], uint.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private Task<long> AuditCountAsync(Guid alertId, string? action = null) =>
        Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE entity_type = 'alert' AND entity_id = $1 AND ($2 = '' OR action = $2)", alertId.ToString(), action ?? "");

    [Fact]
    public async Task An_officer_of_another_caseload_gets_not_found_for_every_action_and_nothing_changes()
    {
        var alert = await AlertAsync("demo-0004");
        var before = await RowAsync(alert);
        var officer1 = await UserAsync("officer1");
        var supervisor1 = await UserAsync("supervisor1");

        Assert.IsType<ActionResult.NotFound>(await Use<AcknowledgeAlerts>().HandleAsync(new([new(alert)]), officer1, CancellationToken.None));
        Assert.IsType<ActionResult.NotFound>(await Use<DismissAlert>().HandleAsync(new(alert, "Not mine."), officer1, CancellationToken.None));
        Assert.IsType<ActionResult.NotFound>(await Use<RecordExcuse>().HandleAsync(new(alert, "Hospital."), supervisor1, CancellationToken.None));
        var listed = await Use<ListAlerts>().HandleAsync(new(SubjectId: await SubjectAsync("demo-0004"), States: []), officer1, CancellationToken.None);

        Assert.Empty(listed.Items);
        Assert.Equal(before, await RowAsync(alert));
        Assert.Equal(0, await AuditCountAsync(alert));
    }

    [Fact]
    public async Task An_auditor_can_list_but_not_acknowledge_dismiss_or_excuse()
    {
        var alert = await AlertAsync("demo-0010");
        var auditor = await UserAsync("auditor1");

        var listed = await Use<ListAlerts>().HandleAsync(new(SubjectId: await SubjectAsync("demo-0010")), auditor, CancellationToken.None);
        var acknowledge = await Use<AcknowledgeAlerts>().HandleAsync(new([new(alert)]), auditor, CancellationToken.None);
        var dismiss = await Use<DismissAlert>().HandleAsync(new(alert, "x"), auditor, CancellationToken.None);
        var excuse = await Use<RecordExcuse>().HandleAsync(new(alert, "x"), auditor, CancellationToken.None);

        Assert.Contains(listed.Items, i => i.Id == alert);
        Assert.Equal("Auditors can read alerts but not acknowledge them.", Assert.IsType<ActionResult.Refused>(acknowledge).Message);
        Assert.Equal("Auditors can read alerts but not dismiss them.", Assert.IsType<ActionResult.Refused>(dismiss).Message);
        Assert.Equal("Auditors can read alerts but not record an excuse.", Assert.IsType<ActionResult.Refused>(excuse).Message);
        Assert.Equal("Open", (await RowAsync(alert)).State);
        // Nothing changed; the auditors see one refusal (three in a row are one entry).
        Assert.Equal(1, await AuditCountAsync(alert, "access-refused"));
        Assert.Equal(1, await AuditCountAsync(alert));
    }

    [Fact]
    public async Task Dismissing_without_a_reason_stores_nothing()
    {
        var alert = await AlertAsync("demo-0013");
        var before = await RowAsync(alert);
        var officer1 = await UserAsync("officer1");

        var blank = await Use<DismissAlert>().HandleAsync(new(alert, "   "), officer1, CancellationToken.None);
        var noExcuse = await Use<RecordExcuse>().HandleAsync(new(alert, null), officer1, CancellationToken.None);

        Assert.Equal("Give a reason for dismissing this alert.", Assert.IsType<ActionResult.Refused>(blank).Message);
        Assert.Equal("Describe the reasonable excuse.", Assert.IsType<ActionResult.Refused>(noExcuse).Message);
        Assert.Equal(before, await RowAsync(alert));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM alerts WHERE id = $1 AND dismiss_reason IS NULL AND reasonable_excuse IS NULL AND dismissed_at IS NULL", alert));
        Assert.Equal(0, await AuditCountAsync(alert));
    }

    [Fact]
    public async Task Acknowledge_dismiss_and_excuse_change_the_alert_and_each_writes_its_audit_row()
    {
        var first = await AlertAsync("demo-0019");
        var second = await AlertAsync("demo-0019", AlertKind.InclusionZoneLeft);
        var officer1 = await UserAsync("officer1");

        Assert.IsType<ActionResult.Done>(await Use<AcknowledgeAlerts>().HandleAsync(new([new(first)]), officer1, CancellationToken.None));
        Assert.IsType<ActionResult.Done>(await Use<DismissAlert>().HandleAsync(new(first, " Device was being replaced. "), officer1, CancellationToken.None));
        Assert.IsType<ActionResult.Done>(await Use<RecordExcuse>().HandleAsync(new(second, "In A&E, letter from the hospital seen."), officer1, CancellationToken.None));
        var again = await Use<RecordExcuse>().HandleAsync(new(second, "Again."), officer1, CancellationToken.None);

        Assert.Equal(1, await Sql.CountAsync(Db, """
            SELECT count(*) FROM alerts WHERE id = $1 AND state = 'Dismissed' AND acknowledged_by = $2 AND acknowledged_at IS NOT NULL
              AND dismissed_by = $2 AND dismiss_reason = 'Device was being replaced.'
            """, first, officer1.Id));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM alerts WHERE id = $1 AND state = 'Open' AND reasonable_excuse = 'In A&E, letter from the hospital seen.' AND excuse_by = $2", second, officer1.Id));
        Assert.Equal("A reasonable excuse is already recorded on this alert.", Assert.IsType<ActionResult.Refused>(again).Message);
        Assert.Equal(1, await AuditCountAsync(first, "alert-acknowledged"));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE entity_id = $1 AND action = 'alert-dismissed' AND actor_id = $2 AND detail = 'Missed check-in dismissed. Reason: Device was being replaced.'", first.ToString(), officer1.Id));
        Assert.Equal(1, await AuditCountAsync(second, "alert-excuse-recorded"));
        Assert.Equal(1, await AuditCountAsync(second));
    }

    [Fact]
    public async Task A_concurrent_dismiss_and_acknowledge_of_the_same_alert_end_with_exactly_one_standing()
    {
        var alert = await AlertAsync("demo-0025");
        var (_, version) = await RowAsync(alert);
        var officer1 = await UserAsync("officer1");
        var supervisor1 = await UserAsync("supervisor1");

        // Both saw the same version of the alert on their pages.
        var results = await Task.WhenAll(
            Use<DismissAlert>().HandleAsync(new(alert, "Duplicate of the call this morning.", version), officer1, CancellationToken.None),
            Use<AcknowledgeAlerts>().HandleAsync(new([new(alert, version)]), supervisor1, CancellationToken.None));

        Assert.Single(results, r => r is ActionResult.Done);
        var refused = Assert.IsType<ActionResult.Refused>(Assert.Single(results, r => r is not ActionResult.Done));
        Assert.Contains(refused.Message, new[] { AlertActions.ChangedMeanwhile, "This alert has been dismissed." });
        var state = (await RowAsync(alert)).State;
        Assert.Equal(results[0] is ActionResult.Done ? "Dismissed" : "Acknowledged", state);
        Assert.Equal(1, await AuditCountAsync(alert));
    }

    [Fact]
    public async Task A_stale_version_is_refused_with_a_clear_message()
    {
        var alert = await AlertAsync("demo-0031");
        var (_, seen) = await RowAsync(alert);
        var officer1 = await UserAsync("officer1");
        await Sql.ExecuteAsync(Db, "UPDATE alerts SET occurrences = occurrences + 1 WHERE id = $1", alert);

        var result = await Use<DismissAlert>().HandleAsync(new(alert, "Seen it.", seen), officer1, CancellationToken.None);

        Assert.Equal(AlertActions.ChangedMeanwhile, Assert.IsType<ActionResult.Refused>(result).Message);
        Assert.Equal("Open", (await RowAsync(alert)).State);
    }

    [Fact]
    public async Task Bulk_acknowledge_is_for_the_officers_own_caseload_and_all_or_nothing()
    {
        var a = await AlertAsync("demo-0037");
        var b = await AlertAsync("demo-0043", AlertKind.LowBattery);
        var done = await AlertAsync("demo-0043", AlertKind.DeviceTamper, AlertState.Dismissed);
        var officer1 = await UserAsync("officer1");
        var supervisor1 = await UserAsync("supervisor1");

        var bySupervisor = await Use<AcknowledgeAlerts>().HandleAsync(new([new(a), new(b)]), supervisor1, CancellationToken.None);
        var withADismissedOne = await Use<AcknowledgeAlerts>().HandleAsync(new([new(a), new(b), new(done)]), officer1, CancellationToken.None);
        Assert.Equal("Open", (await RowAsync(a)).State);
        var byOfficer = await Use<AcknowledgeAlerts>().HandleAsync(new([new(a), new(b)]), officer1, CancellationToken.None);

        Assert.Equal("Bulk acknowledge is for your own caseload: acknowledge other caseloads' alerts one at a time.", Assert.IsType<ActionResult.Refused>(bySupervisor).Message);
        Assert.EndsWith("This alert has been dismissed.", Assert.IsType<ActionResult.Refused>(withADismissedOne).Message, StringComparison.Ordinal);
        Assert.IsType<ActionResult.Done>(byOfficer);
        Assert.Equal("Acknowledged", (await RowAsync(a)).State);
        Assert.Equal("Acknowledged", (await RowAsync(b)).State);
        Assert.Equal(2, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'alert-acknowledged' AND entity_id IN ($1, $2)", a.ToString(), b.ToString()));
    }

    [Fact]
    public async Task The_list_pages_sorts_and_filters_on_the_server_within_scope()
    {
        var subject = await SubjectAsync("demo-0049");
        var reference = (string)(await Sql.ScalarAsync(Db, "SELECT case_reference FROM subjects WHERE id = $1", subject))!;
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add(await AlertAsync("demo-0049", i % 3 == 0 ? AlertKind.LowBattery : AlertKind.MissedCheckIn, i % 5 == 0 ? AlertState.Dismissed : AlertState.Open, hoursAgo: i * 10 + 0.5, occurrences: 30 - i));
        }

        var officer1 = await UserAsync("officer1");
        var officer4 = await UserAsync("officer4");
        var list = Use<ListAlerts>();
        var all = new ListAlerts.Query(PageSize: 10, Subject: reference, States: []);

        var pages = new[]
        {
            await list.HandleAsync(all, officer1, CancellationToken.None),
            await list.HandleAsync(all with { Page = 1 }, officer1, CancellationToken.None),
            await list.HandleAsync(all with { Page = 2 }, officer1, CancellationToken.None),
        };
        var oldestFirst = await list.HandleAsync(all with { Descending = false }, officer1, CancellationToken.None);
        var fewestOccurrences = await list.HandleAsync(all with { Sort = AlertSort.Occurrences, Descending = false }, officer1, CancellationToken.None);
        var lowBattery = await list.HandleAsync(all with { Kinds = [AlertKind.LowBattery], PageSize = 50 }, officer1, CancellationToken.None);
        var active = await list.HandleAsync(all with { States = [AlertState.Open, AlertState.Acknowledged], PageSize = 50 }, officer1, CancellationToken.None);
        var lastDay = await list.HandleAsync(all with { Age = AlertAge.Last24Hours, PageSize = 50 }, officer1, CancellationToken.None);
        var olderThanWeek = await list.HandleAsync(all with { Age = AlertAge.OlderThan7Days, PageSize = 50 }, officer1, CancellationToken.None);
        var byName = await list.HandleAsync(all with { Subject = null, SubjectId = null, OfficerId = officer1.Id, PageSize = 100 }, officer1, CancellationToken.None);
        var otherOfficer = await list.HandleAsync(all with { OfficerId = officer4.Id }, officer1, CancellationToken.None);
        var outsideScope = await list.HandleAsync(all, officer4, CancellationToken.None);

        Assert.All(pages, p => Assert.Equal(30, p.Total));
        Assert.Equal(ids, pages.SelectMany(p => p.Items).Select(i => i.Id));
        Assert.Equal(ids.AsEnumerable().Reverse().Take(10), oldestFirst.Items.Select(i => i.Id));
        Assert.Equal([1, 2, 3], fewestOccurrences.Items.Take(3).Select(i => i.Occurrences));
        Assert.Equal(10, lowBattery.Total);
        Assert.All(lowBattery.Items, i => Assert.Equal(AlertKind.LowBattery, i.Kind));
        Assert.Equal(24, active.Total);
        Assert.Equal(3, lastDay.Total);
        Assert.Equal(30 - 17, olderThanWeek.Total);
        Assert.Contains(byName.Items, i => i.SubjectId == subject);
        Assert.All(byName.Items, i => Assert.Equal(officer1.Id, i.OfficerId));
        Assert.Empty(otherOfficer.Items);
        Assert.Empty(outsideScope.Items);
        Assert.Equal(0, outsideScope.Total);
    }

    [Fact]
    public async Task The_badge_counts_open_alerts_in_scope_and_the_load_panel_is_for_supervisors_and_auditors()
    {
        var officer2 = await UserAsync("officer2");
        var supervisor1 = await UserAsync("supervisor1");
        var supervisor2 = await UserAsync("supervisor2");
        var before = await Use<CountOpenAlerts>().HandleAsync(officer2, CancellationToken.None);
        var southBefore = await Use<CountOpenAlerts>().HandleAsync(supervisor2, CancellationToken.None);
        var alert = await AlertAsync("demo-0002", AlertKind.DeviceTamper);
        await AlertAsync("demo-0008", AlertKind.DeviceTamper, AlertState.Acknowledged);
        await Use<DismissAlert>().HandleAsync(new(await AlertAsync("demo-0008", AlertKind.NoGpsFix), "Known dead spot."), officer2, CancellationToken.None);

        Assert.Equal(before + 1, await Use<CountOpenAlerts>().HandleAsync(officer2, CancellationToken.None));
        Assert.Equal(southBefore, await Use<CountOpenAlerts>().HandleAsync(supervisor2, CancellationToken.None));
        Assert.Null(await Use<GetAlertLoad>().HandleAsync(officer2, 14, CancellationToken.None));
        var load = await Use<GetAlertLoad>().HandleAsync(supervisor1, 14, CancellationToken.None);
        Assert.NotNull(load);
        Assert.Contains(load.PerOfficerPerDay, d => d.Officer == officer2.Name && d.Raised >= 3 && d.Dismissed >= 1);
        Assert.Contains(load.DismissedByKind, k => k.Kind == AlertKind.NoGpsFix && k.Dismissed >= 1);
        var officer4 = await UserAsync("officer4");
        Assert.DoesNotContain(load.PerOfficerPerDay, d => d.Officer == officer4.Name);
        Assert.NotEqual(Guid.Empty, alert);
    }

    [Fact]
    public async Task The_alerts_page_renders_the_officers_alerts_on_the_server_and_the_load_panel_refuses_officers()
    {
        var alert = await AlertAsync("demo-0055", AlertKind.WelfareConcern, hoursAgo: 0.01);
        using var officer1 = await fixture.SignedInClientAsync("officer1");
        using var officer4 = await fixture.SignedInClientAsync("officer4");
        using var supervisor1 = await fixture.SignedInClientAsync("supervisor1");

        var page = await officer1.GetStringAsync(new Uri("/alerts", UriKind.Relative));
        var other = await officer4.GetStringAsync(new Uri("/alerts", UriKind.Relative));
        var loadForOfficer = await officer1.GetAsync(new Uri("/alerts/load", UriKind.Relative));
        var loadForSupervisor = await supervisor1.GetAsync(new Uri("/alerts/load", UriKind.Relative));

        Assert.Contains($"data-alert-id=\"{alert}\"", page, StringComparison.Ordinal);
        Assert.Contains("Welfare concern", page, StringComparison.Ordinal);
        Assert.DoesNotContain(alert.ToString(), other, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, loadForOfficer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, loadForSupervisor.StatusCode);
        Assert.Contains("data-testid=\"load-raised\"", await loadForSupervisor.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
