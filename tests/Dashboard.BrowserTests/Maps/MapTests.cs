using System.Globalization;
using System.Text.Json;
using Dashboard.Testing;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Maps;

/// <summary>Both map pages on a plain background (no tile server is configured in tests).</summary>
public class MapTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private async Task<Guid> SubjectOfAsync(string device) =>
        (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = $1", device))!;

    [Fact]
    public async Task The_subject_map_draws_the_trail_zones_and_check_in_without_tiles_and_lists_the_points_in_a_table()
    {
        var subject = await SubjectOfAsync("demo-0013");
        var cs = fixture.App.ConnectionString;
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        await Sql.ExecuteAsync(cs, "SELECT ensure_location_partitions($1::date, $2::date)", start.UtcDateTime.Date, DateTime.UtcNow.Date);
        // Three hours at 5 s, with 20 minutes without fixes in the middle.
        await Sql.ExecuteAsync(cs, """
            INSERT INTO location_pings (device_id, at, subject_id, location, accuracy_m)
            SELECT 'demo-0013', $2::timestamptz + g * interval '5 seconds', $1,
                   ST_SetSRID(ST_MakePoint(-0.10 + 0.01 * cos(g / 300.0), 51.52 + 0.006 * sin(g / 300.0)), 4326)::geography,
                   CASE WHEN g % 40 = 0 THEN 300 ELSE 10 END
            FROM generate_series(0, 2100) g
            WHERE g NOT BETWEEN 1000 AND 1240
            ON CONFLICT DO NOTHING
            """, subject, start);
        await Sql.ExecuteAsync(cs, """
            INSERT INTO zones (id, subject_id, name, kind, area, active) VALUES
              (gen_random_uuid(), $1, 'Victim''s street', 'Exclusion', ST_Buffer(ST_SetSRID(ST_MakePoint(-0.09, 51.52), 4326)::geography, 250)::geography, true)
            """, subject);
        await Sql.ExecuteAsync(cs, """
            INSERT INTO zones (id, subject_id, name, kind, area, curfew_start, curfew_end, active) VALUES
              (gen_random_uuid(), $1, 'Home', 'Inclusion', ST_Buffer(ST_SetSRID(ST_MakePoint(-0.11, 51.52), 4326)::geography, 150)::geography, '19:00', '07:00', true)
            """, subject);
        using (var partner = fixture.Partner())
        {
            var posted = await partner.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(
                $$"""{"eventId":"{{Guid.NewGuid()}}","deviceId":"demo-0013","capturedAt":"{{IngestionApp.Now(-60)}}","matchScore":0.95,"livenessScore":0.95,"location":{"lat":51.526,"lon":-0.1,"accuracyM":9} }"""));
            posted.EnsureSuccessStatusCode();
        }

        var page = await fixture.SignedInPageAsync("officer1", "/");
        var errors = BrowserFixture.CollectErrors(page);
        await page.GotoAsync($"/subjects/{subject}");
        await BrowserFixture.WaitInteractiveAsync(page);
        var map = page.GetByTestId("subject-trail-map");
        await Assertions.Expect(map.Locator(".leaflet-control-scale")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(map.Locator("path.trail-line").First).ToBeAttachedAsync(new() { Timeout = 15_000 });
        var exclusions = await Sql.CountAsync(cs, "SELECT count(*) FROM zones WHERE subject_id = $1 AND active AND kind = 'Exclusion'", subject);
        var inclusions = await Sql.CountAsync(cs, "SELECT count(*) FROM zones WHERE subject_id = $1 AND active AND kind = 'Inclusion'", subject);
        await Assertions.Expect(map.Locator("path.zone--exclusion")).ToHaveCountAsync((int)exclusions);
        await Assertions.Expect(map.Locator("path.zone--inclusion")).ToHaveCountAsync((int)inclusions);
        await Assertions.Expect(map.Locator(".map-event--checkin").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("zone-list")).ToContainTextAsync("Home: inclusion zone (green, dashed outline), must be inside 19:00–07:00 (curfew)");
        await Assertions.Expect(page.GetByTestId("trail-summary")).ToContainTextAsync("1 gap of more than 5 minutes");
        await Assertions.Expect(page.GetByTestId("checkin-locations")).ToContainTextAsync("Verified");

        // Keyboard: the table's first point opens the point card; Next steps on.
        await page.Locator("button.trail-tables__point").First.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var card = page.GetByTestId("point-card");
        await Assertions.Expect(card).ToContainTextAsync("Point 1 of");
        await Assertions.Expect(card).ToContainTextAsync("network estimate");
        await card.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await Assertions.Expect(card).ToContainTextAsync("Point 2 of");
        await Assertions.Expect(card).ToContainTextAsync("GPS");

        await page.GetByText("Direction arrows").ClickAsync();
        await Assertions.Expect(map.Locator(".trail-arrow").First).ToBeAttachedAsync();
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "subject-map");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task The_caseload_map_moves_a_subjects_marker_when_a_fix_is_ingested_keeps_it_in_view_and_shows_its_age()
    {
        var subject = await SubjectOfAsync("demo-0007");
        var landmark = await SubjectOfAsync("demo-0019");
        using var partner = fixture.Partner();
        async Task PostFixAsync(string device, double lat, double lon, int secondsAgo)
        {
            var body = string.Create(CultureInfo.InvariantCulture,
                $$"""[{"deviceId":"{{device}}","at":"{{IngestionApp.Now(-secondsAgo)}}","lat":{{lat}},"lon":{{lon}},"accuracyM":8,"batteryPct":70}]""");
            (await partner.PostAsync(new Uri("/api/v1/locations", UriKind.Relative), IngestionApp.Json(body))).EnsureSuccessStatusCode();
        }

        // Another subject of officer1 stands still south-west of Westminster: a landmark on the plain map.
        await PostFixAsync("demo-0019", 51.46, -0.18, 40);
        await PostFixAsync("demo-0007", 51.50, -0.12, 30);
        var page = await fixture.SignedInPageAsync("officer1", "/");
        var errors = BrowserFixture.CollectErrors(page);
        await page.GotoAsync("/map");
        await BrowserFixture.WaitInteractiveAsync(page);
        var map = page.GetByTestId("caseload-map");
        await Assertions.Expect(map.Locator(".leaflet-control-scale")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        try
        {
            await Assertions.Expect(map).ToHaveAttributeAsync("data-positions", new System.Text.RegularExpressions.Regex(subject.ToString()), new() { Timeout = 15_000 });
        }
        catch (PlaywrightException ex)
        {
            throw new InvalidOperationException(ex.Message + "\nPage errors:\n" + string.Join("\n", errors), ex);
        }

        Assert.Equal(new[] { 51.50, -0.12 }, await PositionAsync(map, subject));
        var pin = map.Locator($".subject-pin__dot[data-subject-id='{subject}']");
        var landmarkPin = map.Locator($".subject-pin__dot[data-subject-id='{landmark}']");
        await Assertions.Expect(pin).ToBeVisibleAsync();
        await Assertions.Expect(landmarkPin).ToBeVisibleAsync();
        // Drawn north-east of the landmark (right of it and above it on screen).
        await EventuallyAsync(async () => await PlaceAsync(pin, landmarkPin) is (> 0, < 0), "the marker should be drawn north-east of the landmark");

        await PostFixAsync("demo-0007", 51.4321, -0.2345, 0);

        await Assertions.Expect(page.Locator($"tr[data-subject-id='{subject}'] [data-testid='position']")).ToHaveTextAsync("51.43210, -0.23450", new() { Timeout = 10_000 });
        Assert.Equal(new[] { 51.4321, -0.2345 }, await PositionAsync(map, subject));
        // The pin on the map itself moved: it now carries the new place, is drawn south-west of the landmark,
        // stays inside the map's view, is ringed as just moved, and says how old its fix is.
        await Assertions.Expect(pin).ToHaveAttributeAsync("data-lat", "51.43210");
        await Assertions.Expect(pin).ToHaveAttributeAsync("data-lon", "-0.23450");
        await EventuallyAsync(async () => await PlaceAsync(pin, landmarkPin) is (< 0, > 0), "the marker should be drawn south-west of the landmark after the fix");
        await EventuallyAsync(async () => await InsideAsync(pin, map), "the moved marker should be inside the map's view");
        await Assertions.Expect(map.Locator($".subject-pin--moved .subject-pin__dot[data-subject-id='{subject}']")).ToBeVisibleAsync();
        await Assertions.Expect(map.Locator($".subject-pin:has(.subject-pin__dot[data-subject-id='{subject}']) .subject-pin__age"))
            .ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{1,2} s$"));
        await BrowserFixture.AssertAccessibleAsync(page);
        await BrowserFixture.ScreenshotAsync(page, "caseload-map");

        // Click through to the subject from the table.
        await page.Locator($"tr[data-subject-id='{subject}'] a").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/subjects/{subject}$"));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>Where <paramref name="pin"/> is drawn relative to <paramref name="other"/>: (right of it, below it) in pixels.</summary>
    private static async Task<(double Right, double Below)> PlaceAsync(ILocator pin, ILocator other)
    {
        var a = await pin.BoundingBoxAsync();
        var b = await other.BoundingBoxAsync();
        return a is null || b is null ? (double.NaN, double.NaN) : (a.X - b.X, a.Y - b.Y);
    }

    private static async Task<bool> InsideAsync(ILocator pin, ILocator map)
    {
        var p = await pin.BoundingBoxAsync();
        var m = await map.BoundingBoxAsync();
        return p is not null && m is not null && p.X >= m.X && p.Y >= m.Y && p.X + p.Width <= m.X + m.Width && p.Y + p.Height <= m.Y + m.Height;
    }

    /// <summary>Waits (map animations settle) until the condition holds, or fails with the message.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string message)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, message);
            await Task.Delay(100);
        }
    }

    private static async Task<double[]> PositionAsync(ILocator map, Guid subject)
    {
        var json = await map.GetAttributeAsync("data-positions");
        using var doc = JsonDocument.Parse(json!);
        var p = doc.RootElement.GetProperty(subject.ToString());
        return [Math.Round(p[0].GetDouble(), 5), Math.Round(p[1].GetDouble(), 5)];
    }
}
