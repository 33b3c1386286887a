using System.IO.Compression;
using System.Net;
using System.Text;
using Dashboard.Features.Reports;
using Dashboard.Features.Reports.Pdf;
using Dashboard.Testing;
using Dashboard.Testing.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Reports;

/// <summary>
/// Breach reports through the real endpoints: a report of 200 evidence items read back with a PDF text
/// extractor and checked with qpdf and pdffonts; scope; the auditors' bulk export; verification.
/// demo-0001 is officer1's (team North, supervisor1); officer4 is team South.
/// </summary>
public class BreachReportTests(SeededApp fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SeededApp>
{
    private string Db => fixture.App.ConnectionString;

    private VerifyReport Verify => fixture.App.Services.GetRequiredService<VerifyReport>();

    private async Task<(HttpResponseMessage Response, byte[] Pdf)> DownloadAsync(string login, Guid breach, bool photos = false)
    {
        using var client = await fixture.SignedInClientAsync(login);
        var response = await client.GetAsync(new Uri($"/api/reports/breaches/{breach}.pdf{(photos ? "?photos=true" : "")}", UriKind.Relative));
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_report_of_200_evidence_items_reads_back_complete_with_page_numbers_and_its_fingerprint()
    {
        var seeded = await ReportSeed.BreachAsync(fixture.App.Services, Db, "demo-0001", evidence: 200, trailDays: 30, fixSeconds: 60);

        var (response, pdf) = await DownloadAsync("supervisor1", seeded.BreachId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var path = Path.Combine(PdfTools.ArtifactDirectory, "breach-report-200.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        var pages = PdfTools.PageTexts(pdf);
        var all = string.Join('\n', pages);
        output.WriteLine($"{pdf.Length} bytes, {pages.Count} pages: {path}");

        Assert.Equal(200, seeded.EvidenceTimes.Count);
        Assert.Contains(PdfTools.Squeeze(seeded.CaseReference), pages[0], StringComparison.Ordinal);
        Assert.Contains(seeded.Number, pages[0], StringComparison.Ordinal);
        foreach (var t in seeded.EvidenceTimes)
        {
            Assert.Contains(PdfTools.Squeeze(ReportTime.London(t)), all, StringComparison.Ordinal);
        }

        Assert.Contains(PdfTools.Squeeze(seeded.DecisionReason), all, StringComparison.Ordinal);
        Assert.Contains("Confirmedby", all, StringComparison.Ordinal);
        // The evidence alerts of a confirmed breach say so, not that a breach is still proposed.
        Assert.Contains("Statenow:Breachconfirmed", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Statenow:Breachproposed", all, StringComparison.Ordinal);
        foreach (var reason in seeded.ReviewReasons)
        {
            Assert.Contains(PdfTools.Squeeze(reason), all, StringComparison.Ordinal);
        }

        Assert.Contains("Notthesameperson", all, StringComparison.Ordinal);
        for (var i = 0; i < pages.Count; i++)
        {
            Assert.Contains($"Page{i + 1}of{pages.Count}", pages[i], StringComparison.Ordinal);
        }

        // The fingerprint: printed on the last page, intact, in the response, recorded and audited.
        var hash = Assert.Single(response.Headers.GetValues("X-Report-Sha256"));
        Assert.Equal(hash, PdfSeal.Check(pdf));
        Assert.Contains(hash, pages[^1], StringComparison.Ordinal);
        Assert.Contains("Verification", pages[^1], StringComparison.Ordinal);
        Assert.Equal(1, await Sql.CountAsync(Db,
            "SELECT count(*) FROM report_exports r JOIN staff s ON s.id = r.exported_by WHERE r.breach_id = $1 AND r.sha256 = $2 AND r.page_count = $3 AND s.login_name = 'supervisor1' AND NOT r.includes_photos",
            seeded.BreachId, hash, pages.Count));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'report-exported' AND entity_id = $1 AND detail LIKE '%' || $2 || '%'", seeded.BreachId.ToString(), hash));

        await AssertReportContentAsync(seeded, pdf, response, pages);

        var (qpdf, qpdfOutput) = await PdfTools.RunAsync("qpdf", "--check", path);
        Assert.True(qpdf == 0, qpdfOutput);
        var (_, fonts) = await PdfTools.RunAsync("pdffonts", path);
        output.WriteLine(fonts);
        var fontRows = fonts.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToList();
        Assert.NotEmpty(fontRows);
        Assert.All(fontRows, row => Assert.Matches(@"\s+yes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row));
        Assert.All(fontRows, row => Assert.DoesNotMatch(@"\s+no\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row));
        await PdfTools.RunAsync("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", path, Path.Combine(PdfTools.ArtifactDirectory, "breach-report-page"));
        await PdfTools.RunAsync("pdftoppm", "-png", "-r", "80", "-f", pages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-l", pages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), path, Path.Combine(PdfTools.ArtifactDirectory, "breach-report-last"));
    }

    /// <summary>What a reader of the 200-evidence report relies on, page by page.</summary>
    private async Task AssertReportContentAsync(ReportSeed.Seeded seeded, byte[] pdf, HttpResponseMessage response, List<string> pages)
    {
        var reportNumber = Assert.Single(response.Headers.GetValues("X-Report-Number"));
        var hash = Assert.Single(response.Headers.GetValues("X-Report-Sha256"));

        // A4, every page.
        using (var document = UglyToad.PdfPig.PdfDocument.Open(pdf))
        {
            Assert.All(document.GetPages(), p => Assert.Equal((595, 842), ((int)Math.Round(p.Width), (int)Math.Round(p.Height))));
            // Figures are drawn as vectors: without photos the file holds no image at all.
            Assert.All(document.GetPages(), p => Assert.Empty(p.GetImages()));
        }

        // The report number under its label on page 1, and in the footer of every page.
        Assert.Contains("Reportnumber" + reportNumber, pages[0], StringComparison.Ordinal);
        Assert.All(pages, p => Assert.Contains($"Breach{seeded.Number}·report{reportNumber}", p, StringComparison.Ordinal));

        // Generated at (UTC and London, the same instant as the export on record) and by whom.
        var exportedAt = new DateTimeOffset((DateTime)(await Sql.ScalarAsync(Db, "SELECT exported_at FROM report_exports WHERE sha256 = $1", hash))!);
        var supervisor = await StaffUsers.UserAsync(Db, "supervisor1");
        Assert.Contains(PdfTools.Squeeze($"Generated at {ReportTime.Utc(exportedAt)} ({ReportTime.London(exportedAt)} {ReportTime.LondonZone(exportedAt)}, Europe/London)"), pages[0], StringComparison.Ordinal);
        Assert.Contains(PdfTools.Squeeze($"Generated by {supervisor.Name} (Supervisor)"), pages[0], StringComparison.Ordinal);

        // The subject and the breach, as recorded.
        var subject = (string)(await Sql.ScalarAsync(Db, """
            SELECT s.given_name || ' ' || s.family_name || '|' || o.display_name || ', ' || t.name || '|' || to_char(s.monitoring_start AT TIME ZONE 'Europe/London', 'DD Mon YYYY HH24:MI:SS')
                   || '|' || coalesce(to_char(s.monitoring_end AT TIME ZONE 'Europe/London', 'DD Mon YYYY HH24:MI:SS'), '')
            FROM subjects s JOIN staff o ON o.id = s.officer_id JOIN teams t ON t.id = o.team_id WHERE s.id = $1
            """, seeded.SubjectId))!;
        var (name, officer, start, end) = subject.Split('|') is [var a, var b, var c, var d] ? (a, b, c, d) : throw new InvalidOperationException(subject);
        Assert.Contains(PdfTools.Squeeze($"Name {name}"), pages[0], StringComparison.Ordinal);
        Assert.Contains(PdfTools.Squeeze($"Responsible officer {officer}"), pages[0], StringComparison.Ordinal);
        Assert.Contains(PdfTools.Squeeze($"Monitoring period From {start}{(end.Length == 0 ? ", continuing" : $" to {end}")}"), pages[0], StringComparison.Ordinal);
        var breach = (string)(await Sql.ScalarAsync(Db, """
            SELECT b.summary || '|' || p.display_name || '|' || to_char(b.proposed_at AT TIME ZONE 'Europe/London', 'DD Mon YYYY HH24:MI:SS')
            FROM breaches b JOIN staff p ON p.id = b.proposed_by WHERE b.id = $1
            """, seeded.BreachId))!;
        var (summary, proposer, proposedAt) = breach.Split('|') is [var e, var f, var g] ? (e, f, g) : throw new InvalidOperationException(breach);
        Assert.Contains(PdfTools.Squeeze("Kind Identity not verified State Confirmed"), pages[0], StringComparison.Ordinal);
        Assert.Contains(PdfTools.Squeeze($"Summary {summary}"), pages[0], StringComparison.Ordinal);
        Assert.Contains(PdfTools.Squeeze($"Proposed By {proposer} (Officer) at {proposedAt}."), pages[0], StringComparison.Ordinal);
        Assert.Contains(PdfTools.Squeeze($"Confirmed by {supervisor.Name} (Supervisor)"), pages[0], StringComparison.Ordinal);

        // The timeline: the time column lists every evidence item once, in increasing time; each check-in
        // shows its scores and the policy that judged it; the header row repeats on every page it spans.
        var lines = PdfTools.PageLines(pdf);
        var timePattern = new System.Text.RegularExpressions.Regex(@"^\d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}");
        var rows = new List<(int Page, string Time)>();
        var mapHeading = false;
        for (var p = 0; p < lines.Count && !mapHeading; p++)
        {
            foreach (var (left, text) in lines[p])
            {
                if (text.StartsWith("Where the person was", StringComparison.Ordinal))
                {
                    mapHeading = true;
                    break;
                }

                if (left < PdfLayoutLeft + 10 && timePattern.Match(text) is { Success: true } m)
                {
                    rows.Add((p, m.Value));
                }
            }
        }

        Assert.True(mapHeading);
        Assert.Equal(seeded.EvidenceTimes.Select(t => ReportTime.London(t)), rows.Select(r => r.Time));
        var parsed = rows.Select(r => DateTime.ParseExact(r.Time, ReportTime.LondonFormat, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(parsed.Order(), parsed);
        var timelinePages = Enumerable.Range(rows[0].Page, rows[^1].Page - rows[0].Page + 1).ToList();
        Assert.True(timelinePages.Count > 3, $"The timeline spans {timelinePages.Count} pages.");
        Assert.All(timelinePages, p => Assert.Contains("Time(London)ItemWhathappenedScoresandpolicyDecision,reviewerorauthor", pages[p], StringComparison.Ordinal));
        var timeline = string.Concat(timelinePages.Select(p => pages[p]));
        Assert.Contains("Match0.12,liveness0.86.Policyv1:accept≥0.80/0.70,reject<0.50/0.30.", timeline, StringComparison.Ordinal);
        Assert.Contains("Failed.Match0.12<rejectthreshold0.50(policyv1).", timeline, StringComparison.Ordinal);

        // The audit section lists the proposal and the confirmation of this breach.
        var all = string.Concat(pages);
        var audit = all[all.IndexOf("Auditentriesforthisbreach", StringComparison.Ordinal)..];
        Assert.Contains(PdfTools.Squeeze($"breach-proposed Breach {seeded.Number} proposed from"), audit, StringComparison.Ordinal);
        Assert.Contains(PdfTools.Squeeze($"{supervisor.Name} breach-confirmed Breach {seeded.Number} confirmed:"), audit, StringComparison.Ordinal);

        // Figure 1, the map: its legend, zones, north arrow and scale bar.
        var map = pages.FindIndex(p => p.Contains("Figure1.", StringComparison.Ordinal));
        Assert.True(map >= 0);
        Assert.Contains("DevicepositionsCheck-inlocationAlertlocation", pages[map], StringComparison.Ordinal);
        Assert.Contains("(exclusionzone)", pages[map], StringComparison.Ordinal);
        Assert.Contains("(curfewzone)", pages[map], StringComparison.Ordinal);
        var mapWords = lines[map].SelectMany(l => l.Text.Split(' ')).ToList();
        Assert.Contains("N", mapWords);
        Assert.Contains(lines[map], l => System.Text.RegularExpressions.Regex.IsMatch(l.Text, @"(^| )\d+(\.\d)? k?m( |$)"));
        // Figure 2, the scores: the thresholds named on the plot and in its legend.
        var chart = pages.FindIndex(p => p.Contains("Figure2.", StringComparison.Ordinal));
        Assert.True(chart >= 0);
        Assert.Contains("Matchscoreaccept0.80reject0.50", pages[chart], StringComparison.Ordinal);
        Assert.Contains("check-incheck-inintheevidenceacceptthresholdrejectthreshold", pages[chart], StringComparison.Ordinal);
    }

    private const double PdfLayoutLeft = Dashboard.Features.Reports.Pdf.PdfLayout.Margin;

    [Fact]
    public async Task A_report_outside_the_users_scope_is_not_found_and_only_the_refusal_is_recorded()
    {
        var seeded = await ReportSeed.BreachAsync(fixture.App.Services, Db, "demo-0007", evidence: 10, fixSeconds: 0);
        var audits = await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events");

        var (officer4, _) = await DownloadAsync("officer4", seeded.BreachId);
        var (supervisor2, _) = await DownloadAsync("supervisor2", seeded.BreachId);
        var (unknown, _) = await DownloadAsync("officer1", Guid.NewGuid());

        Assert.Equal(HttpStatusCode.NotFound, officer4.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, supervisor2.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM report_exports WHERE breach_id = $1", seeded.BreachId));
        // Sign-ins are audited, and each refusal of the existing breach once; no export.
        Assert.Equal(0, await Sql.CountAsync(Db, "SELECT count(*) FROM (SELECT * FROM audit_events ORDER BY id OFFSET $1) x WHERE action NOT IN ('sign-in', 'access-refused')", audits));
        Assert.Equal(2, await Sql.CountAsync(Db, "SELECT count(*) FROM (SELECT * FROM audit_events ORDER BY id OFFSET $1) x WHERE action = 'access-refused' AND entity_type = 'breach' AND entity_id = $2 AND subject_id IS NOT NULL", audits, seeded.BreachId.ToString()));
        Assert.Equal(2, await Sql.CountAsync(Db, "SELECT count(*) FROM (SELECT * FROM audit_events ORDER BY id OFFSET $1) x WHERE action = 'access-refused'", audits));

        var (owner, pdf) = await DownloadAsync("officer1", seeded.BreachId);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.NotNull(PdfSeal.Check(pdf));
    }

    [Fact]
    public async Task Including_photos_puts_the_held_photos_in_the_report_and_records_it_with_the_export()
    {
        var seeded = await ReportSeed.BreachAsync(fixture.App.Services, Db, "demo-0013", evidence: 10, fixSeconds: 0, photos: 2);

        var (without, plain) = await DownloadAsync("auditor1", seeded.BreachId);
        var (response, pdf) = await DownloadAsync("auditor1", seeded.BreachId, photos: true);

        Assert.Equal(HttpStatusCode.OK, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var document = UglyToad.PdfPig.PdfDocument.Open(plain))
        {
            Assert.All(document.GetPages(), p => Assert.Empty(p.GetImages()));
        }

        var pages = PdfTools.PageTexts(pdf);
        Assert.Contains("Photos", pages[^2], StringComparison.Ordinal);
        Assert.Contains("Photos" + PdfTools.Squeeze("Included at the exporter's request"), pages[0], StringComparison.Ordinal);
        using (var document = UglyToad.PdfPig.PdfDocument.Open(pdf))
        {
            // The two photos, on the photos page and nowhere else (the map and chart stay vectors).
            var images = document.GetPages().Select(p => (p.Number, Count: p.GetImages().Count())).Where(x => x.Count > 0).ToList();
            Assert.Equal([(pages.Count - 1, 2)], images);
        }

        Assert.Contains(PdfTools.Squeeze($"Check-in photo, {ReportTime.London(seeded.EvidenceTimes[0])}"), pages[^2], StringComparison.Ordinal);
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM report_exports WHERE breach_id = $1 AND includes_photos", seeded.BreachId));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'report-exported' AND entity_id = $1 AND detail LIKE '%exported as PDF with photos (2 included, at the exporter''s request)%'", seeded.BreachId.ToString()));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'report-exported' AND entity_id = $1 AND detail LIKE '%exported as PDF without photos%'", seeded.BreachId.ToString()));
    }

    [Fact]
    public async Task A_bulk_export_of_100_breaches_gives_100_pdfs_and_an_index_whose_fingerprints_verify()
    {
        // A day of their own, long ago, so the filter finds exactly these.
        var day = new DateTimeOffset(2025, 3, 10, 9, 0, 0, TimeSpan.Zero);
        var numbers = new HashSet<string>();
        for (var i = 0; i < 100; i++)
        {
            var s = await ReportSeed.BreachAsync(fixture.App.Services, Db, $"demo-{(i % 60) + 1:0000}", evidence: 5, trailDays: 1, fixSeconds: 0, end: day.AddMinutes(i));
            numbers.Add(s.Number);
        }

        using var client = await fixture.SignedInClientAsync("auditor1");
        var response = await client.GetAsync(new Uri("/api/reports/bulk.zip?from=2025-03-10&to=2025-03-10", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var auditor = await StaffUsers.UserAsync(Db, "auditor1");
        await using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        var pdfs = zip.Entries.Where(e => e.Name.EndsWith(".pdf", StringComparison.Ordinal)).ToList();
        Assert.Equal(100, pdfs.Count);
        using var reader = new StreamReader(zip.GetEntry(BulkExportReports.IndexName)!.Open(), Encoding.UTF8);
        var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(BulkExportReports.IndexHeader, lines[0]);
        Assert.Equal(101, lines.Length);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(ParseCsvLine).ToList();
        Assert.Equal(numbers.Order(), rows.Select(r => r[Array.IndexOf(header, "breach_number")]).Order());
        foreach (var row in rows)
        {
            var entry = zip.GetEntry(row[Array.IndexOf(header, "file")])!;
            using var stream = new MemoryStream();
            await using (var s = entry.Open())
            {
                await s.CopyToAsync(stream);
            }

            var bytes = stream.ToArray();
            var sha = row[Array.IndexOf(header, "sha256")];
            Assert.Equal(sha, PdfSeal.Check(bytes));
            Assert.Equal("Confirmed", row[Array.IndexOf(header, "decision")]);
            var verified = await Verify.FileAsync(bytes, entry.Name, auditor, CancellationToken.None);
            Assert.True(verified.Matches, verified.Message);
            Assert.Equal(row[Array.IndexOf(header, "report_number")], verified.Record!.ReportNumber);
        }

        Assert.Equal(100, await Sql.CountAsync(Db, "SELECT count(*) FROM report_exports r JOIN staff s ON s.id = r.exported_by WHERE s.login_name = 'auditor1' AND r.sha256 = ANY($1)",
            new object[] { rows.Select(r => r[Array.IndexOf(header, "sha256")]).ToArray() }));
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'reports-bulk-exported' AND detail LIKE 'Bulk export of 100 %'"));
    }

    [Fact]
    public async Task Verification_matches_the_exported_file_and_rejects_one_changed_byte()
    {
        var seeded = await ReportSeed.BreachAsync(fixture.App.Services, Db, "demo-0019", evidence: 10, fixSeconds: 0);
        var (_, pdf) = await DownloadAsync("officer1", seeded.BreachId);
        var officer1 = await StaffUsers.UserAsync(Db, "officer1");
        var hash = PdfSeal.Check(pdf)!;

        var intact = await Verify.FileAsync(pdf, "report.pdf", officer1, CancellationToken.None);
        var changedContent = (byte[])pdf.Clone();
        changedContent[pdf.Length / 2] ^= 0x01;
        var changedFingerprint = (byte[])pdf.Clone();
        var at = Encoding.ASCII.GetString(pdf).IndexOf(hash, StringComparison.Ordinal);
        changedFingerprint[at + 10] = (byte)(changedFingerprint[at + 10] == (byte)'a' ? 'b' : 'a');
        var byContent = await Verify.FileAsync(changedContent, "changed.pdf", officer1, CancellationToken.None);
        var byFingerprint = await Verify.FileAsync(changedFingerprint, "changed.pdf", officer1, CancellationToken.None);
        var typed = await Verify.HashAsync(hash.ToUpperInvariant(), officer1, CancellationToken.None);
        var otherTeam = await Verify.HashAsync(hash, await StaffUsers.UserAsync(Db, "officer4"), CancellationToken.None);

        Assert.True(intact.Matches, intact.Message);
        Assert.Equal(officer1.Name, intact.Record!.ExportedBy);
        // When it was exported: the very instant on record, as the page shows it (London and UTC).
        var exportedAt = (DateTime)(await Sql.ScalarAsync(Db, "SELECT exported_at FROM report_exports WHERE sha256 = $1", hash))!;
        Assert.Equal(exportedAt, intact.Record.ExportedAt.UtcDateTime);
        Assert.Contains($"exported by {officer1.Name} on {ReportTime.London(exportedAt)} ({ReportTime.Utc(exportedAt)})", intact.Message, StringComparison.Ordinal);
        Assert.Equal(intact.Record, typed.Record);
        Assert.Contains("exported by", intact.Message, StringComparison.Ordinal);
        Assert.False(byContent.Matches);
        Assert.Contains("Does not match", byContent.Message, StringComparison.Ordinal);
        Assert.False(byFingerprint.Matches);
        Assert.True(typed.Matches, typed.Message);
        Assert.False(otherTeam.Matches);
        Assert.Equal(5, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = 'report-verified' AND actor_name IN (SELECT display_name FROM staff WHERE login_name IN ('officer1', 'officer4')) AND at > now() - interval '1 minute'"));
    }

    /// <summary>One RFC 4180 line (no line breaks inside fields in these rows).</summary>
    private static string[] ParseCsvLine(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }
}
