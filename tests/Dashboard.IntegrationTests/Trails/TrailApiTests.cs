using System.Globalization;
using System.Net;
using System.Text.Json;
using Dashboard.Features.Trails;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Trails;

/// <summary>
/// A week of 5-second fixes for demo-0001's subject (officer1's caseload), 60 days back so nothing of the
/// demo data overlaps, with an hour without fixes and three check-ins along the way.
/// </summary>
public class TrailApiTests(TrailApiTests.WeekOfFixes fixture) : IClassFixture<TrailApiTests.WeekOfFixes>
{
    public sealed class WeekOfFixes : SeededApp
    {
        public Guid SubjectId { get; private set; }
        public DateTimeOffset From { get; } = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-60);
        public DateTimeOffset To => From.AddDays(7);
        public DateTimeOffset GapStart => From.AddDays(2).AddHours(3);
        public List<DateTimeOffset> CheckInTimes { get; } = [];

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var cs = App.ConnectionString;
            SubjectId = (Guid)(await Sql.ScalarAsync(cs, "SELECT subject_id FROM devices WHERE id = 'demo-0001'"))!;
            await Sql.ExecuteAsync(cs, "SELECT ensure_location_partitions($1::date, $2::date)", From.UtcDateTime.Date, To.UtcDateTime.Date);
            await Sql.ExecuteAsync(cs, """
                INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m)
                SELECT 'demo-0001', $2::timestamptz + g * interval '5 seconds', $1,
                       ST_SetSRID(ST_MakePoint(-0.12 + 0.02 * cos(g / 900.0) + 0.0003 * sin(g / 7.0), 51.5 + 0.012 * sin(g / 650.0) + 0.0002 * cos(g / 5.0)), 4326)::geography,
                       CASE WHEN g % 50 = 0 THEN 250 ELSE 8 END
                FROM generate_series(0, 120959) g
                WHERE NOT ($2::timestamptz + g * interval '5 seconds' >= $3 AND $2::timestamptz + g * interval '5 seconds' < $3 + interval '1 hour')
                """, SubjectId, From, GapStart);
            CheckInTimes.AddRange([From.AddHours(5).AddSeconds(2), From.AddDays(3).AddMinutes(17).AddSeconds(31), From.AddDays(6).AddHours(20).AddSeconds(4)]);
            foreach (var at in CheckInTimes)
            {
                await Sql.ExecuteAsync(cs, """
                    INSERT INTO check_ins (id, event_id, subject_id, device_id, captured_at, received_at, match_score, liveness_score, outcome,
                                           policy_version, accept_match, reject_match, accept_liveness, reject_liveness, synthetic)
                    SELECT gen_random_uuid(), gen_random_uuid(), $1, 'demo-0001', $2, $2, 0.9, 0.9, 'Verified', version,
                           accept_match, reject_match, accept_liveness, reject_liveness, false
                    FROM policy_versions WHERE version = 1
                    """, SubjectId, at);
            }

            await Sql.ExecuteAsync(cs, "UPDATE devices SET last_fix_at = (SELECT max(at) FROM location_pings WHERE subject_id = $1) WHERE id = 'demo-0001' AND (last_fix_at IS NULL OR last_fix_at < $2)", SubjectId, To);
            await Sql.ExecuteAsync(cs, "ANALYZE location_pings");
        }
    }

    private string TrailUrl(string suffix = "") =>
        $"/api/subjects/{fixture.SubjectId}/trail{suffix}?from={Uri.EscapeDataString(fixture.From.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(fixture.To.ToString("O", CultureInfo.InvariantCulture))}";

    private Task<long> ExportsAuditedAsync() =>
        Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM audit_events WHERE action = $1 AND subject_id = $2", ExportTrail.AuditAction, fixture.SubjectId);

    [Fact]
    public async Task An_officer_of_another_caseload_gets_404_for_the_trail_and_the_export_and_only_the_refusals_are_audited()
    {
        using var officer4 = await fixture.SignedInClientAsync("officer4");
        var before = await ExportsAuditedAsync();

        var trail = await officer4.GetAsync(new Uri(TrailUrl(), UriKind.Relative));
        var csv = await officer4.GetAsync(new Uri(TrailUrl(".csv"), UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, trail.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, csv.StatusCode);
        Assert.DoesNotContain("51.", await trail.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("51.", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await ExportsAuditedAsync());
        Assert.Equal(2, await Sql.CountAsync(fixture.App.ConnectionString, """
            SELECT count(*) FROM audit_events a JOIN staff s ON s.id = a.actor_id
            WHERE a.action = 'access-refused' AND a.subject_id = $1 AND s.login_name = 'officer4' AND a.detail LIKE 'Refused the trail%'
            """, fixture.SubjectId));
    }

    [Fact]
    public async Task The_caseload_map_lists_only_the_officers_own_subjects_with_their_last_fix()
    {
        var officer1 = await UserAsync("officer1");
        var positions = await fixture.App.Services.GetRequiredService<GetCaseloadPositions>().HandleAsync(officer1, CancellationToken.None);

        Assert.Equal(10, positions.Count);
        Assert.Equal(0, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM subjects WHERE id = ANY($1) AND officer_id <> $2", positions.Select(p => p.SubjectId).ToArray(), officer1.Id));
        var mine = Assert.Single(positions, p => p.SubjectId == fixture.SubjectId);
        Assert.NotNull(mine.At);
    }

    private async Task<Dashboard.Security.CurrentUser> UserAsync(string login)
    {
        var row = await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT id::text || '|' || display_name || '|' || role || '|' || coalesce(team_id::text, '') FROM staff WHERE login_name = $1", login);
        var parts = ((string)row!).Split('|');
        return new(Guid.Parse(parts[0]), parts[1], Enum.Parse<Dashboard.Domain.StaffRole>(parts[2]), parts[3].Length > 0 ? Guid.Parse(parts[3]) : null);
    }

    [Fact]
    public async Task Someone_not_signed_in_gets_no_trail()
    {
        using var anonymous = fixture.App.CreateClient(new() { AllowAutoRedirect = false });

        var response = await anonymous.GetAsync(new Uri(TrailUrl(), UriKind.Relative));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("51.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_week_of_five_second_fixes_comes_as_at_most_5000_vertices_with_the_check_in_points_and_a_break_at_the_gap()
    {
        using var officer1 = await fixture.SignedInClientAsync("officer1");

        var response = await officer1.GetAsync(new Uri(TrailUrl(), UriKind.Relative));

        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        var segments = root.GetProperty("segments").EnumerateArray().Select(s => s.EnumerateArray().ToList()).ToList();
        var points = segments.SelectMany(s => s).ToList();
        Assert.Equal(120_960 - 720, root.GetProperty("totalPoints").GetInt32());
        Assert.InRange(points.Count, 1_000, 5_000);
        Assert.Equal(points.Count, root.GetProperty("vertices").GetInt32());
        Assert.Equal(2, segments.Count);
        // Each vertex is an array of the fields the trail names.
        Assert.Equal(["lat", "lon", "atUnixMs", "accuracyM", "number", "speedMps"], root.GetProperty("vertexFields").EnumerateArray().Select(f => f.GetString()));
        static DateTimeOffset At(JsonElement vertex) => DateTimeOffset.FromUnixTimeMilliseconds(vertex[2].GetInt64());
        Assert.True(At(segments[0][^1]) < fixture.GapStart);
        Assert.True(At(segments[1][0]) >= fixture.GapStart.AddHours(1));
        Assert.Equal(JsonValueKind.Null, segments[1][0][5].ValueKind);
        Assert.Equal(JsonValueKind.Number, segments[1][1][5].ValueKind);
        Assert.Equal(points.Select(p => p[4].GetInt32()).Order(), points.Select(p => p[4].GetInt32()));

        // Each check-in's fix (the one nearest in time, at most 2.5 s away) is among the vertices.
        var times = points.Select(At).ToList();
        foreach (var at in fixture.CheckInTimes)
        {
            Assert.Contains(times, t => Math.Abs((t - at).TotalSeconds) <= 2.5);
        }

        Assert.Equal(3, root.GetProperty("checkIns").GetArrayLength());
        // GPS fixes and network estimates both, told apart by the accuracy the trail names.
        var gps = root.GetProperty("gpsAccuracyM").GetDouble();
        Assert.Contains(points, p => p[3].GetDouble() > gps);
        Assert.Contains(points, p => p[3].GetDouble() <= gps);
    }

    [Fact]
    public async Task The_csv_export_streams_every_point_of_the_range_and_is_audited()
    {
        using var officer1 = await fixture.SignedInClientAsync("officer1");
        var before = await ExportsAuditedAsync();

        var response = await officer1.GetAsync(new Uri(TrailUrl(".csv"), UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(ExportTrail.Header, lines[0].TrimEnd('\r'));
        Assert.Equal(120_960 - 720 + 1, lines.Length);
        Assert.Equal(before + 1, await ExportsAuditedAsync());
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM audit_events WHERE action = $1 AND subject_id = $2 AND actor_name = 'Amira Hassan' AND detail LIKE '%all points%'", ExportTrail.AuditAction, fixture.SubjectId));
    }

    [Fact]
    public async Task The_condensed_csv_has_the_simplified_points_and_is_audited_as_condensed()
    {
        using var officer1 = await fixture.SignedInClientAsync("officer1");

        var response = await officer1.GetAsync(new Uri(TrailUrl(".csv") + "&condensed=true", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.InRange(lines.Length - 1, 1_000, 5_000);
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM audit_events WHERE action = $1 AND subject_id = $2 AND detail LIKE '%condensed%'", ExportTrail.AuditAction, fixture.SubjectId));
    }
}
