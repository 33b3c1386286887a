using System.Net;
using Dashboard.Testing;

namespace Dashboard.IntegrationTests.CheckIns;

public class CheckInPageTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    [Fact]
    public async Task An_officer_sees_why_their_check_in_is_borderline_with_the_policy_version()
    {
        var id = await fixture.PostCheckInAsync("demo-0001", match: 0.62, liveness: 0.91);
        using var officer = await fixture.SignedInClientAsync("officer1");

        var html = WebUtility.HtmlDecode(await officer.GetStringAsync(new Uri($"/checkins/{id}", UriKind.Relative)));

        Assert.Contains("Match 0.62 and liveness 0.91 fall between the reject (0.50/0.30) and accept (0.80/0.70) thresholds (policy v1): a person decides.", html, StringComparison.Ordinal);
        Assert.Contains("Judged by matching policy version 1.", html, StringComparison.Ordinal);
        Assert.Contains("Awaiting a person's decision", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_in_or_subject_of_another_caseload_answers_404_as_if_it_did_not_exist()
    {
        var other = await fixture.PostCheckInAsync("demo-0004");
        var otherSubject = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0004'"))!;
        using var officer = await fixture.SignedInClientAsync("officer1");

        var checkIn = await officer.GetAsync(new Uri($"/checkins/{other}", UriKind.Relative));
        var subject = await officer.GetAsync(new Uri($"/subjects/{otherSubject}", UriKind.Relative));
        var missing = await officer.GetAsync(new Uri($"/checkins/{Guid.NewGuid()}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, checkIn.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, subject.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.DoesNotContain("demo-0004", await checkIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_supervisor_of_the_team_and_the_auditor_see_the_subject_page()
    {
        var subject = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0004'"))!;
        using var supervisor = await fixture.SignedInClientAsync("supervisor2");
        using var otherSupervisor = await fixture.SignedInClientAsync("supervisor1");
        using var auditor = await fixture.SignedInClientAsync("auditor1");

        Assert.Equal(HttpStatusCode.OK, (await supervisor.GetAsync(new Uri($"/subjects/{subject}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync(new Uri($"/subjects/{subject}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherSupervisor.GetAsync(new Uri($"/subjects/{subject}", UriKind.Relative))).StatusCode);
    }
}
