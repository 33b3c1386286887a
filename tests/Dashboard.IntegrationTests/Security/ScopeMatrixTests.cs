using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Dashboard.Features.Breaches;
using Dashboard.Features.Reviews;
using Dashboard.Live;
using Dashboard.Security;
using Dashboard.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Security;

/// <summary>
/// The scope matrix: every endpoint and page route of the app (read from its endpoint data source), every
/// hub method and every use case the pages call must have a scope decision here, and each decision is
/// checked against anonymous, officer, supervisor and auditor on their own and on another caseload.
/// A new endpoint, page, hub method or use case without a decision fails <see cref="Every_endpoint_page_hub_method_and_use_case_has_a_scope_decision"/>.
/// Demo caseloads: demo-0001 officer1 and demo-0002 officer2 (team North, supervisor1); demo-0004 officer4 (team South, supervisor2).
/// </summary>
public class ScopeMatrixTests(ScopeMatrixTests.Fixture fixture) : IClassFixture<ScopeMatrixTests.Fixture>
{
    /// <summary>What an endpoint needs before it answers.</summary>
    public enum Access
    {
        /// <summary>Anyone: health, sign-in and error pages.</summary>
        Public,
        /// <summary>Development only (the dev sign-in, the OpenAPI document); not mapped elsewhere.</summary>
        DevelopmentOnly,
        /// <summary>Any signed-in member of staff; the content itself is filtered by scope.</summary>
        Staff,
        /// <summary>Only the roles named.</summary>
        Roles,
        /// <summary>A subject's data: in scope answers, out of scope is 404 (no existence leak) and one access-refused entry for the auditors.</summary>
        Subject,
        /// <summary>The device platforms' API: an ingest key, never a staff session.</summary>
        IngestKey,
        /// <summary>The live hub: staff session or live token.</summary>
        Hub,
        /// <summary>The user's own session (sign-out).</summary>
        OwnSession,
        /// <summary>Blazor's own circuit endpoints: staff only (fallback policy).</summary>
        Circuit,
        /// <summary>A bulk export job: auditors only, and only the auditor who started it (others: 404).</summary>
        AuditorJob,
        /// <summary>A subject's data for auditors only (the transparency pack): others 403, an unknown subject 404.</summary>
        AuditorSubject,
    }

    /// <summary>Which demo record a route's id names.</summary>
    public enum Target { None, Subject, CheckIn, Review, Breach, Photo, Job }

    public sealed record Rule(Access Access, Target Target = Target.None, params string[] Roles);

    private static readonly Dictionary<string, Rule> Endpoints = new()
    {
        ["/health/live"] = new(Access.Public),
        ["/health/ready"] = new(Access.Public),
        ["/account/sign-in"] = new(Access.Public),
        ["/account/signed-out"] = new(Access.Public),
        ["/account/access-denied"] = new(Access.Public),
        ["/account/not-provisioned"] = new(Access.Public),
        ["/account/sign-in-failed"] = new(Access.Public),
        ["/not-found"] = new(Access.Public),
        ["/error"] = new(Access.Public),
        ["/_framework/opaque-redirect"] = new(Access.Public),
        ["/account/dev-sign-in"] = new(Access.DevelopmentOnly),
        ["/openapi/{documentName}.json"] = new(Access.DevelopmentOnly),
        ["/account/sign-out"] = new(Access.OwnSession),
        ["/"] = new(Access.Staff),
        ["/alerts"] = new(Access.Staff),
        ["/breaches"] = new(Access.Staff),
        ["/map"] = new(Access.Staff),
        ["/reports"] = new(Access.Staff),
        ["/reviews"] = new(Access.Staff),
        ["/subjects"] = new(Access.Staff),
        ["/alerts/load"] = new(Access.Roles, Target.None, "supervisor1", "auditor1"),
        ["/reviews/quality"] = new(Access.Roles, Target.None, "supervisor1"),
        ["/audit"] = new(Access.Roles, Target.None, "auditor1"),
        ["/admin/ingest-keys"] = new(Access.Roles, Target.None, "supervisor1"),
        ["/oversight/thresholds"] = new(Access.Roles, Target.None, "supervisor1", "auditor1"),
        ["/oversight/reviews"] = new(Access.Staff),
        ["/reports/verify"] = new(Access.Staff),
        ["/api/reports/bulk.zip"] = new(Access.Roles, Target.None, "auditor1"),
        ["/api/reports/bulk/{job:guid}.zip"] = new(Access.AuditorJob, Target.Job),
        ["/api/reports/breaches/{id:guid}.pdf"] = new(Access.Subject, Target.Breach),
        ["/transparency"] = new(Access.Roles, Target.None, "auditor1"),
        ["/api/transparency/{subjectId:guid}.zip"] = new(Access.AuditorSubject, Target.Subject),
        ["/oversight/reviews/{SubjectId:guid}"] = new(Access.Subject, Target.Subject),
        ["/subjects/{Id:guid}"] = new(Access.Subject, Target.Subject),
        ["/checkins/{Id:guid}"] = new(Access.Subject, Target.CheckIn),
        ["/reviews/{CheckInId:guid}"] = new(Access.Subject, Target.Review),
        ["/breaches/{Id:guid}"] = new(Access.Subject, Target.Breach),
        ["/photos/{id:guid}"] = new(Access.Subject, Target.Photo),
        ["/api/subjects/{id:guid}/trail"] = new(Access.Subject, Target.Subject),
        ["/api/subjects/{id:guid}/trail.csv"] = new(Access.Subject, Target.Subject),
        ["/api/v1/checkins"] = new(Access.IngestKey),
        ["/api/v1/locations"] = new(Access.IngestKey),
        ["/api/v1/device-events"] = new(Access.IngestKey),
        ["/api/v1/prompts"] = new(Access.IngestKey),
        ["/hubs/live"] = new(Access.Hub),
        ["/hubs/live/negotiate"] = new(Access.Hub),
        ["/_blazor"] = new(Access.Circuit),
        ["/_blazor/negotiate"] = new(Access.Circuit),
        ["/_blazor/disconnect/"] = new(Access.Circuit),
        ["/_blazor/initializers/"] = new(Access.Circuit),
    };

    /// <summary>Hub methods a client can call, each with how it keeps to scope.</summary>
    private static readonly Dictionary<string, string> HubMethods = new()
    {
        [nameof(LiveHub.WatchSubject)] = "checks Scope.Subjects; refused and audited outside it (LiveHubAuthorizationTests)",
        [nameof(LiveHub.UnwatchSubject)] = "leaves a group; reveals nothing",
    };

    /// <summary>
    /// The use cases pages call inside the circuit (public methods taking the signed-in user). Reads filter by
    /// scope; actions are refused to auditors (checked below with real records in scope).
    /// </summary>
    private static readonly HashSet<string> Reads =
    [
        "GetCheckIn.HandleAsync", "CountOpenAlerts.HandleAsync", "ListAlerts.HandleAsync", "ListAlerts.OfficersAsync",
        "GetAlertLoad.HandleAsync", "ListPendingReviews.HandleAsync", "GetReviewQuality.HandleAsync", "GetReview.HandleAsync",
        "GetDashboard.HandleAsync", "GetDashboard.SinceAsync", "GetDashboard.CountersAsync", "GetDashboard.PersonAsync", "RecordView.HandleAsync", "AuditTrail.ListAsync",
        "AuditTrail.ActionsAsync", "AuditTrail.VerifyAsync", "GetBreach.HandleAsync", "ListBreaches.HandleAsync",
        "GetSubjects.HandleAsync", "GetSubject.HandleAsync", "GetCaseloadPositions.HandleAsync", "GetTrail.HandleAsync",
        "ExportTrail.WriteAsync", "AlertActions.ApplyAsync", "IngestKeyAdmin.ListAsync",
        "BulkExportReports.MatchingAsync", "BulkExportReports.WriteZipAsync", "LoadBreachReport.HandleAsync",
        "ExportBreachReport.HandleAsync", "VerifyReport.FileAsync", "VerifyReport.HashAsync", "BulkExportJobs.Create", "BulkExportJobs.Find",
        "BulkExportJobs.Cancel",
        "GetCheckInBurden.HandleAsync", "RunThresholdReplay.HandleAsync", "ListMonitoringReviews.HandleAsync",
        "ListMonitoringReviews.CountOverdueAsync", "GetMonitoringReview.HandleAsync", "ListThresholds.HandleAsync",
        "ExportTransparencyPack.WriteAsync", "ListZones.HandleAsync",
    ];

    private static readonly HashSet<string> Actions =
    [
        "RecordExcuse.HandleAsync", "AcknowledgeAlerts.HandleAsync", "DismissAlert.HandleAsync", "ClaimReview.ClaimAsync",
        "ClaimReview.ReleaseAsync", "DecideReview.HandleAsync", "ProposeBreach.HandleAsync", "DecideBreach.HandleAsync",
        "AddBreachNote.HandleAsync", "SubjectAbsences.RecordAsync", "SubjectAbsences.CancelAsync", "SubjectNotes.AddAsync",
        "SubjectNotes.EditAsync", "IngestKeyAdmin.CreateAsync", "IngestKeyAdmin.RevokeAsync",
        "ProposeThresholdChange.HandleAsync", "DecideThresholdProposal.ApproveAsync", "DecideThresholdProposal.RejectAsync",
        "DecideThresholdProposal.WithdrawAsync", "RecordMonitoringReview.HandleAsync",
        "CreateZone.HandleAsync", "EditZone.HandleAsync", "DeactivateZone.HandleAsync",
    ];

    private static readonly string[] Staff = ["officer1", "supervisor1", "auditor1"];

    private IReadOnlyList<RouteEndpoint> AppEndpoints =>
        fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    private static bool IsStaticFile(RouteEndpoint e) =>
        e.Metadata.GetMetadata<StaticAssetDescriptor>() is not null || e.RoutePattern.RawText == "{**path:file}";

    private IEnumerable<(string Pattern, Rule Rule)> Classified =>
        AppEndpoints.Where(e => !IsStaticFile(e)).Select(e => e.RoutePattern.RawText!).Distinct().Select(p => (p, Endpoints[p]));

    [Fact]
    public void Every_endpoint_page_hub_method_and_use_case_has_a_scope_decision()
    {
        var endpoints = AppEndpoints;
        var unknown = endpoints.Where(e => !IsStaticFile(e) && !Endpoints.ContainsKey(e.RoutePattern.RawText ?? "")).Select(e => e.DisplayName).ToList();
        Assert.True(unknown.Count == 0, "Endpoints without a scope decision in ScopeMatrixTests: " + string.Join(", ", unknown));
        // Static files are anonymous by design: make sure nothing else hides among them.
        Assert.All(endpoints.Where(e => e.Metadata.GetMetadata<StaticAssetDescriptor>() is not null), e => Assert.NotNull(e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>()));
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/subjects/{Id:guid}");

        var hubMethods = typeof(LiveHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name != nameof(LiveHub.OnConnectedAsync) && m.Name != nameof(LiveHub.OnDisconnectedAsync))
            .Select(m => m.Name).Distinct().ToList();
        Assert.Empty(hubMethods.Except(HubMethods.Keys));

        var useCases = typeof(Scope).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.Namespace?.StartsWith("Dashboard.Features", StringComparison.Ordinal) == true)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => m.GetParameters().Any(p => p.ParameterType == typeof(CurrentUser) || p.ParameterType == typeof(System.Security.Claims.ClaimsPrincipal)))
                .Select(m => $"{t.Name}.{m.Name}"))
            .Distinct().ToList();
        var undecided = useCases.Where(u => !Reads.Contains(u) && !Actions.Contains(u)).ToList();
        Assert.True(undecided.Count == 0, "Use cases without a scope decision in ScopeMatrixTests (read or action): " + string.Join(", ", undecided));
    }

    [Fact]
    public async Task Anonymous_callers_are_sent_to_sign_in_or_get_401_everywhere_but_public_routes()
    {
        using var anonymous = fixture.App.CreateClient(new() { AllowAutoRedirect = false });
        var failures = new List<string>();
        foreach (var (pattern, rule) in Classified)
        {
            // Signing out without a session only shows the signed-out page.
            if (rule.Access is Access.Public or Access.DevelopmentOnly or Access.OwnSession)
            {
                continue;
            }

            var path = await fixture.PathAsync(pattern, rule.Target, "officer1");
            var post = rule.Access == Access.IngestKey && pattern != "/api/v1/prompts" || pattern.EndsWith("negotiate", StringComparison.Ordinal);
            using var request = new HttpRequestMessage(post ? HttpMethod.Post : HttpMethod.Get, path);
            var response = await anonymous.SendAsync(request);
            var location = response.Headers.Location?.OriginalString ?? "";
            var refused = response.StatusCode == HttpStatusCode.Unauthorized
                || response.StatusCode == HttpStatusCode.Redirect && location.Contains("/account/sign-in", StringComparison.Ordinal);
            if (!refused)
            {
                failures.Add($"{pattern}: {(int)response.StatusCode} {location}");
            }
        }

        Assert.True(failures.Count == 0, "Anonymous access was not refused: " + string.Join("; ", failures));
    }

    [Fact]
    public async Task Public_routes_answer_without_sign_in()
    {
        using var anonymous = fixture.App.CreateClient(new() { AllowAutoRedirect = false });
        foreach (var (pattern, _) in Classified.Where(c => c.Rule.Access == Access.Public && c.Pattern != "/_framework/opaque-redirect"))
        {
            var response = await anonymous.GetAsync(new Uri(pattern, UriKind.Relative));
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable, $"{pattern}: {(int)response.StatusCode}");
        }
    }

    public static TheoryData<string, string, bool> Caseloads => new()
    {
        // login, owner of the record, in scope?
        { "officer1", "officer1", true },
        { "officer1", "officer2", false },
        { "officer1", "officer4", false },
        { "supervisor1", "officer1", true },
        { "supervisor1", "officer2", true },
        { "supervisor1", "officer4", false },
        { "supervisor2", "officer1", false },
        { "auditor1", "officer1", true },
        { "auditor1", "officer4", true },
    };

    [Theory]
    [MemberData(nameof(Caseloads))]
    public async Task Subject_routes_answer_in_scope_and_404_outside_it(string login, string owner, bool inScope)
    {
        using var client = await fixture.SignedInClientAsync(login);
        var failures = new List<string>();
        foreach (var (pattern, rule) in Classified.Where(c => c.Rule.Access == Access.Subject))
        {
            var path = await fixture.PathAsync(pattern, rule.Target, owner);
            var mark = await fixture.AuditMarkAsync();
            var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            var expected = inScope ? HttpStatusCode.OK : HttpStatusCode.NotFound;
            if (response.StatusCode != expected)
            {
                failures.Add($"{pattern}: {(int)response.StatusCode}, expected {(int)expected}");
            }

            if (!inScope)
            {
                // The auditors learn of the attempt: one access-refused entry naming the person, nothing else.
                var subject = (await fixture.TargetsAsync(owner)).Subject;
                var refused = await Sql.CountAsync(fixture.Db, """
                    SELECT count(*) FROM audit_events a JOIN staff s ON s.id = a.actor_id
                    WHERE a.id > $1 AND a.action = 'access-refused' AND s.login_name = $2 AND a.subject_id = $3
                    """, mark, login, subject);
                var other = await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM audit_events WHERE id > $1 AND action <> 'access-refused'", mark);
                if (refused != 1 || other != 0)
                {
                    failures.Add($"{pattern}: {refused} access refusals and {other} other audit entries, expected 1 and 0");
                }

                // A record that does not exist answers alike, and is no refusal.
                var unknownMark = await fixture.AuditMarkAsync();
                var unknown = await client.GetAsync(new Uri(Regex.Replace(pattern, @"\{[^}]+\}", Guid.NewGuid().ToString()), UriKind.Relative));
                if (unknown.StatusCode != response.StatusCode || unknown.Content.Headers.ContentType?.MediaType != response.Content.Headers.ContentType?.MediaType)
                {
                    failures.Add($"{pattern}: an unknown id answers {(int)unknown.StatusCode} {unknown.Content.Headers.ContentType}, out of scope {(int)response.StatusCode} {response.Content.Headers.ContentType}");
                }

                if (await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM audit_events WHERE id > $1", unknownMark) != 0)
                {
                    failures.Add($"{pattern}: an unknown id was recorded");
                }

                var body = await response.Content.ReadAsStringAsync();
                var ownerName = (string)(await Sql.ScalarAsync(fixture.Db,
                    "SELECT s.family_name FROM subjects s JOIN devices d ON d.subject_id = s.id WHERE d.id = $1", Fixture.DeviceOf(owner)))!;
                if (body.Contains(ownerName, StringComparison.Ordinal))
                {
                    failures.Add($"{pattern}: the 404 page names the subject");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{login} on {owner}'s records: " + string.Join("; ", failures));
    }

    [Theory]
    [InlineData("officer1")]
    [InlineData("supervisor1")]
    [InlineData("auditor1")]
    public async Task Staff_pages_answer_every_role_and_role_pages_refuse_the_others(string login)
    {
        using var client = await fixture.SignedInClientAsync(login);
        var failures = new List<string>();
        foreach (var (pattern, rule) in Classified.Where(c => c.Rule.Access is Access.Staff or Access.Roles))
        {
            var mark = await fixture.AuditMarkAsync();
            var response = await client.GetAsync(new Uri(pattern, UriKind.Relative));
            var allowed = rule.Access == Access.Staff || rule.Roles.Contains(login);
            var ok = allowed
                ? response.StatusCode == HttpStatusCode.OK
                : response.StatusCode == HttpStatusCode.Forbidden
                  || response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("/account/access-denied", StringComparison.Ordinal) == true;
            if (!ok)
            {
                failures.Add($"{pattern}: {(int)response.StatusCode} {response.Headers.Location}");
            }

            // A refusal is recorded for the auditors, once.
            var refusals = await Sql.CountAsync(fixture.Db, """
                SELECT count(*) FROM audit_events a JOIN staff s ON s.id = a.actor_id
                WHERE a.id > $1 AND a.action = 'access-refused' AND s.login_name = $2 AND a.detail LIKE 'Refused GET ' || $3 || ': the role % does not allow it.'
                """, mark, login, pattern);
            if (refusals != (allowed ? 0 : 1))
            {
                failures.Add($"{pattern}: {refusals} access refusals recorded");
            }
        }

        Assert.True(failures.Count == 0, $"{login}: " + string.Join("; ", failures));
    }

    [Fact]
    public async Task A_bulk_export_job_is_refused_to_other_roles_and_unknown_to_auditors_who_did_not_start_it()
    {
        foreach (var (pattern, rule) in Classified.Where(c => c.Rule.Access == Access.AuditorJob))
        {
            var path = await fixture.PathAsync(pattern, rule.Target, "officer1");
            using var officer = await fixture.SignedInClientAsync("officer1");
            using var supervisor = await fixture.SignedInClientAsync("supervisor1");
            using var auditor = await fixture.SignedInClientAsync("auditor1");

            Assert.Equal(HttpStatusCode.Forbidden, (await officer.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await auditor.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        }
    }

    [Fact]
    public async Task Auditor_only_subject_routes_refuse_other_roles_and_answer_auditors_on_every_caseload()
    {
        using var officer = await fixture.SignedInClientAsync("officer1");
        using var supervisor = await fixture.SignedInClientAsync("supervisor1");
        using var auditor = await fixture.SignedInClientAsync("auditor1");
        foreach (var (pattern, rule) in Classified.Where(c => c.Rule.Access == Access.AuditorSubject))
        {
            var own = await fixture.PathAsync(pattern, rule.Target, "officer1");
            var mark = await fixture.AuditMarkAsync();
            Assert.Equal(HttpStatusCode.Forbidden, (await officer.GetAsync(new Uri(own, UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.GetAsync(new Uri(own, UriKind.Relative))).StatusCode);
            // Nothing was exported; each refusal is recorded once, with the person asked about.
            Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM audit_events WHERE id > $1 AND action <> 'access-refused'", mark));
            Assert.Equal(2, await Sql.CountAsync(fixture.Db, """
                SELECT count(DISTINCT s.login_name) FROM audit_events a JOIN staff s ON s.id = a.actor_id
                WHERE a.id > $1 AND a.action = 'access-refused' AND a.subject_id = $2 AND s.login_name IN ('officer1', 'supervisor1')
                """, mark, (await fixture.TargetsAsync("officer1")).Subject));
            Assert.Equal(2, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM audit_events WHERE id > $1", mark));
            Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync(new Uri(own, UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync(new Uri(await fixture.PathAsync(pattern, rule.Target, "officer4"), UriKind.Relative))).StatusCode);
            var unknown = pattern.Replace("{subjectId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await auditor.GetAsync(new Uri(unknown, UriKind.Relative))).StatusCode);
        }
    }

    [Theory]
    [InlineData("officer1")]
    [InlineData("auditor1")]
    public async Task A_staff_session_cannot_use_the_device_platform_api(string login)
    {
        using var client = await fixture.SignedInClientAsync(login);
        foreach (var (pattern, _) in Classified.Where(c => c.Rule.Access == Access.IngestKey))
        {
            var response = pattern == "/api/v1/prompts"
                ? await client.GetAsync(new Uri(pattern, UriKind.Relative))
                : await client.PostAsync(new Uri(pattern, UriKind.Relative), IngestionApp.Json("{}"));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{login} {pattern}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task An_auditor_posting_to_any_page_or_endpoint_changes_nothing()
    {
        using var client = await fixture.SignedInClientAsync("auditor1");
        var before = await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM audit_events WHERE action NOT IN ('sign-in', 'access-refused')");
        foreach (var (pattern, rule) in Classified.Where(c => c.Rule.Access is Access.Staff or Access.Roles or Access.Subject or Access.IngestKey or Access.AuditorSubject))
        {
            var path = await fixture.PathAsync(pattern, rule.Target, "officer1");
            var response = await client.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent([]));
            var refused = (int)response.StatusCode >= 400
                || response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("/account/access-denied", StringComparison.Ordinal) == true;
            Assert.True(refused, $"POST {pattern}: {(int)response.StatusCode}");
        }

        Assert.Equal(before, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM audit_events WHERE action NOT IN ('sign-in', 'access-refused')"));
    }

    [Fact]
    public async Task An_auditor_is_refused_every_action_on_records_in_scope()
    {
        var auditor = await StaffUsers.UserAsync(fixture.Db, "auditor1");
        var services = fixture.App.Services;
        var t = await fixture.TargetsAsync("officer1");
        var ct = CancellationToken.None;
        uint? version = null;
        var note = await services.GetRequiredService<Dashboard.Features.Subjects.SubjectNotes>()
            .AddAsync(t.Subject, "Phoned about the evening curfew.", null, await StaffUsers.UserAsync(fixture.Db, "officer1"), ct);
        var noteId = (Guid)(await Sql.ScalarAsync(fixture.Db, "SELECT id FROM notes WHERE subject_id = $1 ORDER BY at DESC LIMIT 1", t.Subject))!;
        Assert.IsType<ActionResult.Done>(note);
        var absence = await services.GetRequiredService<Dashboard.Features.Subjects.SubjectAbsences>()
            .RecordAsync(t.Subject, DateTimeOffset.UtcNow.AddDays(2), DateTimeOffset.UtcNow.AddDays(3), "Hospital appointment", await StaffUsers.UserAsync(fixture.Db, "officer1"), ct);
        Assert.IsType<ActionResult.Done>(absence);
        var absenceId = (Guid)(await Sql.ScalarAsync(fixture.Db, "SELECT id FROM absences WHERE subject_id = $1 ORDER BY recorded_at DESC LIMIT 1", t.Subject))!;
        var before = await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM audit_events");

        var results = new Dictionary<string, object>
        {
            ["RecordExcuse.HandleAsync"] = await services.GetRequiredService<Dashboard.Features.Alerts.RecordExcuse>().HandleAsync(new(t.Alert, "Was at hospital", version), auditor, ct),
            ["AcknowledgeAlerts.HandleAsync"] = await services.GetRequiredService<Dashboard.Features.Alerts.AcknowledgeAlerts>().HandleAsync(new([new(t.Alert, version)]), auditor, ct),
            ["DismissAlert.HandleAsync"] = await services.GetRequiredService<Dashboard.Features.Alerts.DismissAlert>().HandleAsync(new(t.Alert, "Not needed", version), auditor, ct),
            ["ClaimReview.ClaimAsync"] = await services.GetRequiredService<ClaimReview>().ClaimAsync(t.Review, auditor, ct),
            ["DecideReview.HandleAsync"] = await services.GetRequiredService<DecideReview>().HandleAsync(new(t.Review, Dashboard.Domain.ReviewDecision.SamePersonNoConcern, "Looks like them"), auditor, ct),
            ["ProposeBreach.HandleAsync"] = await services.GetRequiredService<ProposeBreach>().HandleAsync(new([t.Alert], "Identity not verified."), auditor, ct),
            ["DecideBreach.HandleAsync"] = await services.GetRequiredService<DecideBreach>().HandleAsync(new(t.Breach, Dashboard.Domain.BreachAction.Confirm, "Confirmed"), auditor, ct),
            ["AddBreachNote.HandleAsync"] = await services.GetRequiredService<AddBreachNote>().HandleAsync(new(t.Breach, "A note"), auditor, ct),
            ["SubjectAbsences.RecordAsync"] = await services.GetRequiredService<Dashboard.Features.Subjects.SubjectAbsences>().RecordAsync(t.Subject, DateTimeOffset.UtcNow.AddDays(4), DateTimeOffset.UtcNow.AddDays(5), "Holiday", auditor, ct),
            ["SubjectAbsences.CancelAsync"] = await services.GetRequiredService<Dashboard.Features.Subjects.SubjectAbsences>().CancelAsync(absenceId, auditor, ct),
            ["SubjectNotes.AddAsync"] = await services.GetRequiredService<Dashboard.Features.Subjects.SubjectNotes>().AddAsync(t.Subject, "A note", null, auditor, ct),
            ["SubjectNotes.EditAsync"] = await services.GetRequiredService<Dashboard.Features.Subjects.SubjectNotes>().EditAsync(noteId, "Edited", auditor, ct),
        };
        // Releasing a claim the auditor cannot hold is a no-op.
        await services.GetRequiredService<ClaimReview>().ReleaseAsync(t.Review, auditor, ct);
        foreach (var extra in ExtraActions)
        {
            results[extra.Key] = await extra.Value(services, auditor, t);
        }

        Assert.Empty(Actions.Except(results.Keys).Except(["ClaimReview.ReleaseAsync"]));
        Assert.All(results, r => Assert.True(r.Value is ActionResult.Refused or ReviewResult.Refused || r.Value.GetType().Name == "Refused", $"{r.Key}: {r.Value}"));
        // Refusals are not changes: nothing new beyond access-refused records, and those name the action refused.
        Assert.Equal(0, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM (SELECT * FROM audit_events ORDER BY id OFFSET $1) a WHERE action <> 'access-refused'", before));
        Assert.Equal(1, await Sql.CountAsync(fixture.Db, "SELECT count(*) FROM audit_events WHERE action = 'access-refused' AND actor_id = $1 AND entity_id = $2 AND subject_id = $3 AND detail = 'Refused deciding a breach: the role Auditor does not allow it.'",
            auditor.Id, t.Breach.ToString(), t.Subject));
    }

    /// <summary>Actions of later features, each refused to auditors.</summary>
    private static readonly Dictionary<string, Func<IServiceProvider, CurrentUser, Fixture.Records, Task<object>>> ExtraActions = new()
    {
        ["IngestKeyAdmin.CreateAsync"] = async (s, user, _) => await s.GetRequiredService<Dashboard.Features.Admin.IngestKeyAdmin>().CreateAsync("Auditor's platform", user, CancellationToken.None),
        ["IngestKeyAdmin.RevokeAsync"] = async (s, user, _) =>
        {
            var key = (await s.GetRequiredService<Dashboard.Features.Admin.IngestKeyAdmin>().ListAsync(new CurrentUser(Guid.NewGuid(), "Supervisor", Dashboard.Domain.StaffRole.Supervisor, null), CancellationToken.None))!.First(k => k.RevokedAt is null);
            return await s.GetRequiredService<Dashboard.Features.Admin.IngestKeyAdmin>().RevokeAsync(key.Id, user, CancellationToken.None);
        },
        ["ProposeThresholdChange.HandleAsync"] = async (s, user, _) => await s.GetRequiredService<Dashboard.Features.Oversight.ProposeThresholdChange>()
            .HandleAsync(new(new(0.82, 0.5, 0.7, 0.3), DateTimeOffset.UtcNow.AddDays(1), "Fewer borderline items for the reviewers.", null), user, CancellationToken.None),
        ["DecideThresholdProposal.ApproveAsync"] = async (s, user, _) => await s.GetRequiredService<Dashboard.Features.Oversight.DecideThresholdProposal>()
            .ApproveAsync(await ProposalAsync(s), user, CancellationToken.None),
        ["DecideThresholdProposal.RejectAsync"] = async (s, user, _) => await s.GetRequiredService<Dashboard.Features.Oversight.DecideThresholdProposal>()
            .RejectAsync(await ProposalAsync(s), "Not now.", user, CancellationToken.None),
        ["DecideThresholdProposal.WithdrawAsync"] = async (s, user, _) => await s.GetRequiredService<Dashboard.Features.Oversight.DecideThresholdProposal>()
            .WithdrawAsync(await ProposalAsync(s), user, CancellationToken.None),
        ["RecordMonitoringReview.HandleAsync"] = async (s, user, t) => await s.GetRequiredService<Dashboard.Features.Oversight.RecordMonitoringReview>()
            .HandleAsync(new(t.Subject, DateOnly.FromDateTime(DateTime.UtcNow), [new("Photo check-ins", true, null)], true, null, null,
                Dashboard.Domain.MonitoringReviewOutcome.Continue, "Still needed.", DateOnly.FromDateTime(DateTime.UtcNow.AddMonths(2))), user, CancellationToken.None),
        ["CreateZone.HandleAsync"] = async (s, user, t) => await s.GetRequiredService<Dashboard.Features.Zones.CreateZone>()
            .HandleAsync(t.Subject, AuditorsZone, user, CancellationToken.None),
        ["EditZone.HandleAsync"] = async (s, user, _) =>
        {
            var (zone, version) = await AnyZoneAsync(s);
            return await s.GetRequiredService<Dashboard.Features.Zones.EditZone>().HandleAsync(zone, AuditorsZone, version, user, CancellationToken.None);
        },
        ["DeactivateZone.HandleAsync"] = async (s, user, _) =>
        {
            var (zone, version) = await AnyZoneAsync(s);
            return await s.GetRequiredService<Dashboard.Features.Zones.DeactivateZone>().HandleAsync(zone, version, user, CancellationToken.None);
        },
    };

    private static Dashboard.Features.Zones.ZoneDraft AuditorsZone => new("Auditor's zone", Dashboard.Domain.ZoneKind.Exclusion,
        Dashboard.Features.Zones.ZoneShapeKind.Circle, 51.5, -0.1, 100, null, null, null);

    /// <summary>An active demo zone and its row version, for the zone changes an auditor must be refused.</summary>
    private static async Task<(Guid Zone, uint Version)> AnyZoneAsync(IServiceProvider services)
    {
        await using var command = services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand("SELECT id, xmin::text::bigint FROM zones WHERE active ORDER BY id LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetGuid(0), (uint)reader.GetInt64(1));
    }

    /// <summary>A pending threshold proposal by supervisor1, for the decisions an auditor must be refused.</summary>
    private static async Task<Guid> ProposalAsync(IServiceProvider services)
    {
        await using var command = services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand("""
            INSERT INTO threshold_proposals (id, accept_match, reject_match, accept_liveness, reject_liveness, effective_from, reason,
                proposed_by, proposed_at, state)
            SELECT $1, 0.82, 0.5, 0.7, 0.3, now() + interval '1 day', 'Fewer borderline items for the reviewers.', id, now(), 'Proposed'
            FROM staff WHERE login_name = 'supervisor1'
            """);
        var created = Guid.NewGuid();
        command.Parameters.AddWithValue(created);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
        return created;
    }


    /// <summary>The seeded app with, per officer, a subject with a borderline check-in under review, a failed check-in's alert and a proposed breach.</summary>
    public sealed class Fixture : IngestionApp
    {
        public sealed record Records(Guid Subject, Guid CheckIn, Guid Review, Guid Alert, Guid Breach, Guid Photo);

        private readonly Dictionary<string, Records> _records = [];
        private readonly SemaphoreSlim _lock = new(1, 1);

        public string Db => App.ConnectionString;

        /// <summary>The newest audit entry's id: what a request adds comes after it.</summary>
        public async Task<long> AuditMarkAsync() => Convert.ToInt64(await Sql.ScalarAsync(Db, "SELECT coalesce(max(id), 0) FROM audit_events"), System.Globalization.CultureInfo.InvariantCulture);

        public static string DeviceOf(string officer) => officer switch
        {
            "officer1" => "demo-0001",
            "officer2" => "demo-0002",
            "officer4" => "demo-0004",
            _ => throw new ArgumentOutOfRangeException(nameof(officer)),
        };

        public async Task<Records> TargetsAsync(string officer)
        {
            await _lock.WaitAsync();
            try
            {
                if (_records.TryGetValue(officer, out var known))
                {
                    return known;
                }

                var device = DeviceOf(officer);
                var subject = (Guid)(await Sql.ScalarAsync(Db, "SELECT subject_id FROM devices WHERE id = $1", device))!;
                var review = await PostCheckInAsync(device, match: 0.6);
                var failed = await PostCheckInAsync(device, match: 0.1);
                var alert = (Guid)(await Sql.ScalarAsync(Db, "SELECT id FROM alerts WHERE check_in_id = $1", failed))!;
                var proposed = await App.Services.GetRequiredService<ProposeBreach>()
                    .HandleAsync(new([alert], "Identity not verified at the evening check-in."), await StaffUsers.UserAsync(Db, officer), CancellationToken.None);
                var breach = Assert.IsType<ActionResult.Done>(proposed).Id!.Value;
                var failedAgain = await PostCheckInAsync(device, match: 0.1);
                var openAlert = (Guid)(await Sql.ScalarAsync(Db, "SELECT id FROM alerts WHERE check_in_id = $1", failedAgain))!;
                var photo = (Guid)(await Sql.ScalarAsync(Db, "SELECT id FROM photos WHERE subject_id = $1 LIMIT 1", subject))!;
                return _records[officer] = new Records(subject, failed, review, openAlert, breach, photo);
            }
            finally
            {
                _lock.Release();
            }
        }

        public async Task<string> PathAsync(string pattern, Target target, string owner)
        {
            if (target == Target.None)
            {
                return pattern;
            }

            if (target == Target.Job)
            {
                return Regex.Replace(pattern, @"\{[^}]+\}", Guid.NewGuid().ToString());
            }

            var r = await TargetsAsync(owner);
            var id = target switch
            {
                Target.Subject => r.Subject,
                Target.CheckIn => r.CheckIn,
                Target.Review => r.Review,
                Target.Breach => r.Breach,
                Target.Photo => r.Photo,
                _ => throw new ArgumentOutOfRangeException(nameof(target)),
            };
            return Regex.Replace(pattern, @"\{[^}]+\}", id.ToString());
        }
    }
}
