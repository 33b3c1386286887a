using Dashboard.Testing;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Zones;

/// <summary>A supervisor draws zones on the subject map: a circle typed as centre and radius, a polygon clicked on the map.</summary>
public class ZoneEditorTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_supervisor_types_a_circle_zone_and_clicks_a_polygon_zone_and_both_are_drawn_and_listed()
    {
        var cs = fixture.App.ConnectionString;
        // demo-0020 belongs to officer2, team North (supervisor1).
        var subject = (Guid)(await Sql.ScalarAsync(cs, "SELECT subject_id FROM devices WHERE id = 'demo-0020'"))!;
        var exclusions = (int)await Sql.CountAsync(cs, "SELECT count(*) FROM zones WHERE subject_id = $1 AND active AND kind = 'Exclusion'", subject);

        // The subject's officer has the subject open too: the new zones appear on their map live.
        var officer = await fixture.SignedInPageAsync("officer2", "/");
        await officer.GotoAsync($"/subjects/{subject}");
        await BrowserFixture.WaitInteractiveAsync(officer);
        var officersMap = officer.GetByTestId("subject-trail-map");
        await Assertions.Expect(officersMap.Locator("path.zone--exclusion")).ToHaveCountAsync(exclusions, new() { Timeout = 15_000 });

        var page = await fixture.SignedInPageAsync("supervisor1", "/");
        var errors = BrowserFixture.CollectErrors(page);
        await page.GotoAsync($"/subjects/{subject}");
        await BrowserFixture.WaitInteractiveAsync(page);
        var map = page.GetByTestId("subject-trail-map");
        await Assertions.Expect(map.Locator(".leaflet-control-scale")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(map.Locator("path.zone--exclusion")).ToHaveCountAsync(exclusions, new() { Timeout = 15_000 });

        // The keyboard path: centre and radius typed.
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit zones", Exact = true }).ClickAsync();
        var editor = page.GetByTestId("zone-editor");
        // Nothing typed: each message stands next to its field, and nothing is stored.
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save the new zone" }).ClickAsync();
        await Assertions.Expect(editor.GetByTestId("zone-error")).ToHaveTextAsync("The zone was not saved: correct the 4 fields marked below.");
        await Assertions.Expect(editor.Locator(".mud-input-control", new() { HasText = "Zone name" })).ToContainTextAsync("Give the zone a name.");
        await Assertions.Expect(editor.Locator(".mud-input-control", new() { HasText = "Centre latitude" })).ToContainTextAsync("Give the centre's latitude.");
        await Assertions.Expect(editor.Locator(".mud-input-control", new() { HasText = "Radius in metres" })).ToContainTextAsync("Give the radius in metres.");
        await editor.GetByLabel("Zone name").FillAsync("Victim's street");
        await editor.GetByLabel("Centre latitude").FillAsync("51.52");
        await editor.GetByLabel("Centre longitude").FillAsync("-0.09");
        await editor.GetByLabel("Radius in metres").FillAsync("250");
        await editor.GetByLabel("Radius in metres").PressAsync("Tab");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-draft-corners", "65");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save the new zone" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("zone-status")).ToContainTextAsync("Zone \"Victim's street\" saved");
        await Assertions.Expect(map.Locator("path.zone--exclusion")).ToHaveCountAsync(exclusions + 1);
        await Assertions.Expect(page.GetByTestId("zone-editor-list")).ToContainTextAsync("\"Victim's street\", exclusion zone, circle of 250 m around 51.52000, -0.09000");
        await Assertions.Expect(page.GetByTestId("zone-list")).ToContainTextAsync("Victim's street: exclusion zone");
        await Assertions.Expect(officersMap.Locator("path.zone--exclusion")).ToHaveCountAsync(exclusions + 1);
        await Assertions.Expect(officer.GetByTestId("zone-list")).ToContainTextAsync("Victim's street: exclusion zone");

        // The pointer path: four clicks on the map.
        await editor.GetByLabel("Zone name").FillAsync("Park");
        await editor.GetByText("Polygon: corners in order around the area").ClickAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "Add corners by clicking the map" }).ClickAsync();
        await Assertions.Expect(map).ToHaveAttributeAsync("data-drawing", "polygon");
        var box = (await map.BoundingBoxAsync())!;
        var corners = 0;
        foreach (var (x, y) in new[] { (0.42, 0.40), (0.56, 0.40), (0.56, 0.55), (0.42, 0.55) })
        {
            await map.ClickAsync(new() { Position = new() { X = (float)(box.Width * x), Y = (float)(box.Height * y) } });
            await Assertions.Expect(map).ToHaveAttributeAsync("data-draft-corners", (++corners).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await Assertions.Expect(map.Locator("path.zone-draft")).ToHaveCountAsync(1);
        await BrowserFixture.AssertAccessibleAsync(page);
        await editor.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "zone-editor");

        await editor.GetByRole(AriaRole.Button, new() { Name = "Save the new zone" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("zone-status")).ToContainTextAsync("Zone \"Park\" saved");
        await Assertions.Expect(map.Locator("path.zone--exclusion")).ToHaveCountAsync(exclusions + 2);
        await Assertions.Expect(page.GetByTestId("zone-editor-list")).ToContainTextAsync("\"Park\", exclusion zone, polygon of 4 corners");
        Assert.Equal(2, await Sql.CountAsync(cs, "SELECT count(*) FROM audit_events WHERE action = 'zone-created' AND subject_id = $1", subject));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task An_officer_sees_the_zones_but_no_zone_editor()
    {
        var subject = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0019'"))!;
        var page = await fixture.SignedInPageAsync("officer1", "/");
        await page.GotoAsync($"/subjects/{subject}");
        await BrowserFixture.WaitInteractiveAsync(page);
        await Assertions.Expect(page.GetByTestId("trail-legend")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByTestId("zone-editor")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit zones", Exact = true })).ToHaveCountAsync(0);
    }
}
