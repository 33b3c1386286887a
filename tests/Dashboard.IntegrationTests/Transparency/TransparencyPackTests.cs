using System.IO.Compression;
using System.Net;
using System.Text;
using Dashboard.Audit;
using Dashboard.Features.Reports.Pdf;
using Dashboard.Features.Transparency;
using Dashboard.IntegrationTests.Reports;
using Dashboard.Testing;
using Dashboard.Testing.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Transparency;

/// <summary>
/// The transparency pack through the real endpoint on real PostgreSQL. Two people get data in every
/// category (check-ins, reviews, a proportionality review, alerts, a breach, notes, device events, a
/// photo, fixes, audit entries): demo-0001 (officer1's, team North) and demo-0002 (officer2's). The pack of
/// the first must hold all of theirs and nothing of the second's.
/// </summary>
public class TransparencyPackTests(TransparencyPackTests.Fixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<TransparencyPackTests.Fixture>
{
    private static readonly string[] Files =
    [
        "README.txt", ExportTransparencyPack.PdfName, "profile.json", "check-ins.csv", "reviews.csv", "monitoring-reviews.csv", "alerts.csv", "breaches.csv",
        "notes.csv", "device-events.csv", "prompts.csv", "photos.csv", "location-daily.csv", "retention.csv", "access-history.csv",
    ];

    public sealed class Fixture : SeededApp
    {
        public ReportSeed.Seeded Person { get; private set; } = null!;
        public ReportSeed.Seeded Other { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            Person = await SeedAsync("demo-0001", "Still needed: curfew breaches in March.");
            Other = await SeedAsync("demo-0002", "Other person's review reason.");
        }

        private async Task<ReportSeed.Seeded> SeedAsync(string device, string reviewReason)
        {
            var db = App.ConnectionString;
            var seeded = await ReportSeed.BreachAsync(App.Services, db, device, evidence: 30, trailDays: 3, fixSeconds: 120);
            await Sql.ExecuteAsync(db, """
                INSERT INTO monitoring_reviews (id, subject_id, due_on, reviewed_by, reviewed_at, conditions, frequency_appropriate, representations, outcome, reasons, next_due_on)
                SELECT gen_random_uuid(), $1, current_date, s.id, now() - interval '1 day',
                       '[{"condition":"Evening curfew","stillNecessary":true,"note":"Late returns"}]', true, 'Asked for fewer prompts at work.', 'Continue', $2, current_date + 90
                FROM staff s WHERE s.login_name = 'officer1'
                """, seeded.SubjectId, reviewReason);
            await Sql.ExecuteAsync(db, """
                WITH p AS (
                    INSERT INTO photos (id, subject_id, kind, jpeg, created_at, legal_hold) VALUES (gen_random_uuid(), $1, 'CheckIn', '\xffd8ffd9'::bytea, now() - interval '2 days', false) RETURNING id)
                UPDATE check_ins SET photo_id = (SELECT id FROM p)
                WHERE id = (SELECT id FROM check_ins WHERE subject_id = $1 ORDER BY captured_at DESC LIMIT 1)
                """, seeded.SubjectId);
            await App.Services.GetRequiredService<AuditLog>().AppendAsync(new AuditEntry(null, "Test viewer", AuditActions.PhotoViewed, seeded.SubjectId, "photo", null,
                $"CheckIn photo viewed for review of {seeded.CaseReference}."), CancellationToken.None);
            return seeded;
        }
    }

    private string Db => fixture.App.ConnectionString;

    private async Task<(HttpResponseMessage Response, Dictionary<string, byte[]> Files)> DownloadAsync(string login, Guid subject, bool rawPoints)
    {
        using var client = await fixture.SignedInClientAsync(login);
        var response = await client.GetAsync(new Uri($"/api/transparency/{subject}.zip?rawPoints={(rawPoints ? "true" : "false")}", UriKind.Relative));
        var files = new Dictionary<string, byte[]>();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read);
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                files[entry.FullName] = copy.ToArray();
            }
        }

        return (response, files);
    }

    private static string Text(Dictionary<string, byte[]> files, string name) => Encoding.UTF8.GetString(files[name]);

    private static int Rows(Dictionary<string, byte[]> files, string name) => Text(files, name).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;

    [Theory]
    [InlineData("officer1")]
    [InlineData("supervisor1")]
    public async Task Staff_other_than_auditors_are_refused_and_only_the_refusal_is_recorded(string login)
    {
        using var client = await fixture.SignedInClientAsync(login);
        var before = await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events");

        var response = await client.GetAsync(new Uri($"/api/transparency/{fixture.Person.SubjectId}.zip", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(before + 1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events"));
        Assert.Equal(1, await Sql.CountAsync(Db, """
            SELECT count(*) FROM audit_events a JOIN staff s ON s.id = a.actor_id
            WHERE a.id = (SELECT max(id) FROM audit_events) AND a.action = 'access-refused' AND s.login_name = $1 AND a.subject_id = $2
            """, login, fixture.Person.SubjectId));
        // The use case refuses too, whatever the endpoint does.
        var user = await StaffUsers.UserAsync(Db, login);
        var outcome = await fixture.App.Services.GetRequiredService<ExportTransparencyPack>()
            .WriteAsync(new(fixture.Person.SubjectId, true), user, Stream.Null, _ => Task.CompletedTask, CancellationToken.None);
        Assert.Equal(ExportTransparencyPack.Outcome.Refused, outcome);
        Assert.Equal(before + 2, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events"));
        Assert.Equal(2, await Sql.CountAsync(Db, "SELECT count(*) FROM (SELECT * FROM audit_events ORDER BY id DESC LIMIT 2) a WHERE action = 'access-refused'"));
    }

    [Fact]
    public async Task An_unknown_person_gives_404_and_nothing_is_recorded()
    {
        using var client = await fixture.SignedInClientAsync("auditor1");
        var before = await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events");

        var response = await client.GetAsync(new Uri($"/api/transparency/{Guid.NewGuid()}.zip", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(before, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events"));
    }

    [Fact]
    public async Task The_pack_holds_every_category_of_the_person_and_nothing_of_anyone_else_and_is_audited()
    {
        var person = fixture.Person;
        var (response, files) = await DownloadAsync("auditor1", person.SubjectId, rawPoints: false);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Files.Order(), files.Keys.Order());
        Assert.DoesNotContain(ExportTransparencyPack.PointsName, files.Keys);

        // Every category holds the person's rows.
        var checkInIds = await IdsAsync("SELECT id::text FROM check_ins WHERE subject_id = $1", person.SubjectId);
        Assert.Equal(checkInIds.Count, Rows(files, "check-ins.csv"));
        Assert.All(checkInIds, id => Assert.Contains(id, Text(files, "check-ins.csv"), StringComparison.Ordinal));
        Assert.Contains(",1,0.8,0.5,0.7,0.3,", Text(files, "check-ins.csv"), StringComparison.Ordinal); // the policy version and its thresholds
        Assert.All(person.ReviewReasons, r => Assert.Contains(r, Text(files, "reviews.csv"), StringComparison.Ordinal));
        Assert.All(person.ReviewReasons, r => Assert.Contains(r, Text(files, "check-ins.csv"), StringComparison.Ordinal));
        Assert.Contains("Still needed: curfew breaches in March.", Text(files, "monitoring-reviews.csv"), StringComparison.Ordinal);
        Assert.Contains("Evening curfew: still necessary", Text(files, "monitoring-reviews.csv"), StringComparison.Ordinal);
        var alertIds = await IdsAsync("SELECT id::text FROM alerts WHERE subject_id = $1", person.SubjectId);
        Assert.Equal(alertIds.Count, Rows(files, "alerts.csv"));
        Assert.All(alertIds, id => Assert.Contains(id, Text(files, "alerts.csv"), StringComparison.Ordinal));
        Assert.Contains(person.Number, Text(files, "breaches.csv"), StringComparison.Ordinal);
        Assert.Contains(person.DecisionReason, Text(files, "breaches.csv"), StringComparison.Ordinal);
        Assert.Equal(await Sql.CountAsync(Db, "SELECT count(*) FROM notes WHERE subject_id = $1", person.SubjectId), Rows(files, "notes.csv"));
        Assert.Equal(await Sql.CountAsync(Db, "SELECT count(*) FROM device_events WHERE subject_id = $1", person.SubjectId), Rows(files, "device-events.csv"));
        Assert.Equal(await Sql.CountAsync(Db, "SELECT count(*) FROM prompts WHERE subject_id = $1", person.SubjectId), Rows(files, "prompts.csv"));
        Assert.Equal(await Sql.CountAsync(Db, "SELECT count(*) FROM photos WHERE subject_id = $1", person.SubjectId), Rows(files, "photos.csv"));
        Assert.Contains(person.CaseReference, Text(files, "profile.json"), StringComparison.Ordinal);
        var fixes = await Sql.CountAsync(Db, "SELECT count(*) FROM location_pings WHERE subject_id = $1", person.SubjectId);
        Assert.True(fixes > 2000, $"{fixes} fixes seeded");
        var daily = Text(files, "location-daily.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Sum(l => long.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(fixes, daily);
        var access = Text(files, "access-history.csv");
        // Everything about the person up to this export (which is recorded after the snapshot).
        Assert.Equal(await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE subject_id = $1 AND id < (SELECT max(id) FROM audit_events WHERE action = $2 AND subject_id = $1)",
            person.SubjectId, ExportTransparencyPack.AuditAction), Rows(files, "access-history.csv"));
        Assert.Contains("photo-viewed", access, StringComparison.Ordinal);
        Assert.Contains("breach-confirmed", access, StringComparison.Ordinal);
        var retention = Text(files, "retention.csv");
        Assert.Contains("12 months", retention, StringComparison.Ordinal);
        Assert.Contains("No automatic deletion", retention, StringComparison.Ordinal);
        Assert.Contains("append-only", retention, StringComparison.Ordinal);

        // The PDF reads back, names every category and carries an intact fingerprint.
        var pdf = files[ExportTransparencyPack.PdfName];
        await File.WriteAllBytesAsync(Path.Combine(PdfTools.ArtifactDirectory, "transparency-pack.pdf"), pdf);
        var pages = PdfTools.PageTexts(pdf);
        var all = string.Join('\n', pages);
        output.WriteLine($"{pdf.Length} bytes, {pages.Count} pages");
        var hash = Assert.Single(response.Headers.GetValues("X-Report-Sha256"));
        Assert.Equal(hash, PdfSeal.Check(pdf));
        Assert.Contains(hash, pages[^1], StringComparison.Ordinal);
        foreach (var heading in new[] { "Profile", "Check-ins", "Reviewdecisions", "Proportionalityreviews", "Alerts", "Breaches", "Locationdata", "Photos", "Whoaccessedoractedontherecord", "Wheneachcategoryofdataisdeleted" })
        {
            Assert.Contains(heading, all, StringComparison.Ordinal);
        }

        Assert.Contains(PdfTools.Squeeze(person.CaseReference), pages[0], StringComparison.Ordinal);
        Assert.Contains(person.Number, all, StringComparison.Ordinal);
        Assert.Contains(PdfTools.Squeeze(person.DecisionReason), all, StringComparison.Ordinal);
        for (var i = 0; i < pages.Count; i++)
        {
            Assert.Contains($"Page{i + 1}of{pages.Count}", pages[i], StringComparison.Ordinal);
        }

        // Nothing of the other person anywhere: ids, names, case reference, device, breach, review reasons.
        var other = fixture.Other;
        var otherName = (string)(await Sql.ScalarAsync(Db, "SELECT given_name || ' ' || family_name FROM subjects WHERE id = $1", other.SubjectId))!;
        var forbidden = new List<string> { other.SubjectId.ToString(), other.CaseReference, otherName, "demo-0002", other.Number, "Other person's review reason." };
        forbidden.AddRange(other.ReviewReasons.Where(r => !person.ReviewReasons.Contains(r)));
        forbidden.AddRange(await IdsAsync("SELECT id::text FROM check_ins WHERE subject_id = $1", other.SubjectId));
        forbidden.AddRange(await IdsAsync("SELECT id::text FROM alerts WHERE subject_id = $1", other.SubjectId));
        forbidden.AddRange(await IdsAsync("SELECT id::text FROM photos WHERE subject_id = $1", other.SubjectId));
        foreach (var (name, bytes) in files.Where(f => f.Key != ExportTransparencyPack.PdfName))
        {
            var text = Encoding.UTF8.GetString(bytes);
            Assert.All(forbidden, f => Assert.False(text.Contains(f, StringComparison.OrdinalIgnoreCase), $"{name} holds '{f}' of the other person"));
        }

        Assert.All(forbidden, f => Assert.False(all.Contains(PdfTools.Squeeze(f), StringComparison.OrdinalIgnoreCase), $"The PDF holds '{f}' of the other person"));

        // Audited: who, which person, without raw points, the fingerprint.
        Assert.Equal(1, await Sql.CountAsync(Db, """
            SELECT count(*) FROM audit_events a JOIN staff s ON s.id = a.actor_id
            WHERE a.action = $1 AND a.subject_id = $2 AND s.login_name = 'auditor1' AND a.detail LIKE '%without raw location points%' AND a.detail LIKE '%' || $3 || '%'
            """, ExportTransparencyPack.AuditAction, person.SubjectId, hash));
    }

    [Fact]
    public async Task Raw_points_are_in_the_pack_only_when_ticked_and_the_choice_is_audited()
    {
        var person = fixture.Person;
        var (response, files) = await DownloadAsync("auditor1", person.SubjectId, rawPoints: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(ExportTransparencyPack.PointsName, files.Keys);
        var fixes = await Sql.CountAsync(Db, "SELECT count(*) FROM location_pings WHERE subject_id = $1", person.SubjectId);
        Assert.Equal(fixes, Rows(files, ExportTransparencyPack.PointsName));
        var lines = Text(files, ExportTransparencyPack.PointsName).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time_utc,lat,lon,accuracy_m,battery_pct,device_id", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.EndsWith(",demo-0001", l, StringComparison.Ordinal));
        var first = await Sql.ScalarAsync(Db, "SELECT to_char(min(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM location_pings WHERE subject_id = $1", person.SubjectId);
        Assert.StartsWith((string)first!, lines[1], StringComparison.Ordinal);
        Assert.Contains("Included:", string.Join('\n', PdfTools.PageTexts(files[ExportTransparencyPack.PdfName]).Take(1)), StringComparison.Ordinal);
        Assert.Equal(1, await Sql.CountAsync(Db, "SELECT count(*) FROM audit_events WHERE action = $1 AND subject_id = $2 AND detail LIKE '%with raw location points (%'",
            ExportTransparencyPack.AuditAction, person.SubjectId));
    }

    private async Task<List<string>> IdsAsync(string sql, Guid subject)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Db);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue(subject);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
