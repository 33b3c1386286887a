using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Dashboard.Features.Reports;
using Dashboard.Testing;
using Dashboard.Testing.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Reports;

/// <summary>
/// The auditors' bulk export as the /reports page drives it (a job whose progress the page shows and
/// whose download it can cancel) and the filters of <c>/api/reports/bulk.zip</c>. Each test seeds its
/// breaches on a day of its own, long ago, so the filters find exactly these.
/// demo-0001/0002 are team North (officer1/officer2); demo-0004/0005 team South (officer4/officer5).
/// </summary>
public class BulkExportTests(SeededApp fixture) : IClassFixture<SeededApp>
{
    private string Db => fixture.App.ConnectionString;

    [Fact]
    public async Task Cancelling_a_running_export_cuts_the_download_off_and_records_only_the_reports_it_sent()
    {
        var day = new DateTimeOffset(2025, 4, 7, 9, 0, 0, TimeSpan.Zero);
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add((await ReportSeed.BreachAsync(fixture.App.Services, Db, $"demo-{(i % 60) + 1:0000}", evidence: 5, trailDays: 1, fixSeconds: 0, end: day.AddMinutes(i))).BreachId);
        }

        var auditor = await StaffUsers.UserAsync(Db, "auditor1");
        var jobs = fixture.App.Services.GetRequiredService<BulkExportJobs>();
        var job = jobs.Create(auditor, new BulkExportReports.Filter(), ids);
        using var client = await fixture.SignedInClientAsync("auditor1");

        using var response = await client.GetAsync(new Uri($"/api/reports/bulk/{job.Id}.zip", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var seen = new List<int> { job.Done };
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (job.Done < 3)
            {
                var n = await body.ReadAsync(buffer, timeout.Token);
                Assert.True(n > 0, $"The download ended after {job.Done} of {job.Total} reports without being cancelled.");
                received.Write(buffer, 0, n);
                seen.Add(job.Done);
            }
        }

        // The progress the page shows rose report by report while the download ran.
        Assert.Equal(BulkExportJobs.JobState.Running, job.State);
        Assert.Equal(30, job.Total);
        Assert.True(seen[0] < seen[^1] && seen.SequenceEqual(seen.Order()), $"Progress seen: {string.Join(", ", seen)}");

        jobs.Cancel(job.Id, auditor);

        // The download does not end as if complete: the connection is cut, and what arrived is no ZIP.
        var cut = await Record.ExceptionAsync(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            int n;
            while ((n = await body.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        });
        Assert.NotNull(cut);
        Assert.IsNotType<OperationCanceledException>(cut); // cut by the server, not by the test's timeout
        received.Position = 0;
        Assert.ThrowsAny<InvalidDataException>(() => new ZipArchive(received, ZipArchiveMode.Read));

        for (var i = 0; i < 100 && job.State == BulkExportJobs.JobState.Running; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(BulkExportJobs.JobState.Cancelled, job.State);
        // Exactly the reports written before the cancel are on record, fewer than the export would have made.
        var recorded = await Sql.CountAsync(Db, "SELECT count(*) FROM report_exports WHERE breach_id = ANY($1)", ids.ToArray());
        Assert.Equal(job.Done, recorded);
        Assert.InRange(recorded, 3, job.Total - 1);
        Assert.Equal(recorded, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'report-exported' AND entity_id = ANY($1)", new object[] { ids.Select(i => i.ToString()).ToArray() }));
        // The job cannot be downloaded again.
        var again = await client.GetAsync(new Uri($"/api/reports/bulk/{job.Id}.zip", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task An_unknown_state_is_refused_with_400_and_nothing_is_exported_or_recorded()
    {
        var exports = await Sql.CountAsync(Db, "SELECT count(*) FROM report_exports");
        var bulkAudits = await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'reports-bulk-exported'");
        using var client = await fixture.SignedInClientAsync("auditor1");

        var response = await client.GetAsync(new Uri("/api/reports/bulk.zip?state=Pending", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("'from' and 'to' are dates (yyyy-MM-dd); 'state' is Proposed, Confirmed, Rejected or Withdrawn.", problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(exports, await Sql.CountAsync(Db, "SELECT count(*) FROM report_exports"));
        Assert.Equal(bulkAudits, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'reports-bulk-exported'"));
    }

    [Fact]
    public async Task The_team_officer_and_state_filters_export_only_the_matching_breaches()
    {
        var day = new DateTimeOffset(2025, 6, 2, 9, 0, 0, TimeSpan.Zero);
        var north1 = await ReportSeed.BreachAsync(fixture.App.Services, Db, "demo-0001", evidence: 5, trailDays: 1, fixSeconds: 0, end: day);
        var north2 = await ReportSeed.BreachAsync(fixture.App.Services, Db, "demo-0002", evidence: 5, trailDays: 1, fixSeconds: 0, end: day.AddMinutes(1));
        var south4 = await ReportSeed.BreachAsync(fixture.App.Services, Db, "demo-0004", evidence: 5, trailDays: 1, fixSeconds: 0, end: day.AddMinutes(2));
        var south5 = await ReportSeed.BreachAsync(fixture.App.Services, Db, "demo-0005", evidence: 5, trailDays: 1, fixSeconds: 0, end: day.AddMinutes(3), decided: false);
        var north = (Guid)(await Sql.ScalarAsync(Db, "SELECT team_id FROM staff WHERE login_name = 'officer1'"))!;
        var south = (Guid)(await Sql.ScalarAsync(Db, "SELECT team_id FROM staff WHERE login_name = 'officer4'"))!;
        var officer4 = (await StaffUsers.UserAsync(Db, "officer4")).Id;
        using var client = await fixture.SignedInClientAsync("auditor1");
        const string dates = "from=2025-06-02&to=2025-06-02";

        Assert.Equal([north1.Number, north2.Number], await ExportedNumbersAsync(client, $"{dates}&team={north}"));
        Assert.Equal([south4.Number], await ExportedNumbersAsync(client, $"{dates}&officer={officer4}"));
        Assert.Equal([south5.Number], await ExportedNumbersAsync(client, $"{dates}&state=proposed"));
        Assert.Equal([south4.Number], await ExportedNumbersAsync(client, $"{dates}&team={south}&state=Confirmed"));
        Assert.Empty(await ExportedNumbersAsync(client, $"{dates}&team={north}&officer={officer4}"));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'reports-bulk-exported' AND detail LIKE '%from 2025-06-02, to 2025-06-02, state Proposed)%'"));
    }

    /// <summary>The breach numbers of a bulk export's index, in its order; every listed PDF is in the ZIP.</summary>
    private static async Task<List<string>> ExportedNumbersAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync(new Uri($"/api/reports/bulk.zip?{query}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        using var reader = new StreamReader(zip.GetEntry(BulkExportReports.IndexName)!.Open(), Encoding.UTF8);
        var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(rows.Count, zip.Entries.Count(e => e.Name.EndsWith(".pdf", StringComparison.Ordinal)));
        return [.. rows.Select(r => r[Array.IndexOf(header, "breach_number")])];
    }
}
