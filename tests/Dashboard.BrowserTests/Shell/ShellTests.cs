using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests.Shell;

public class ShellTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_officer_signs_in_and_sees_the_shell_with_navigation_name_and_role_without_console_errors()
    {
        var errors = new List<string>();
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.App.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync("/");
        Assert.Contains("/account/sign-in", page.Url, StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = "Amira Hassan" }).ClickAsync();
        await BrowserFixture.WaitInteractiveAsync(page);

        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        foreach (var item in new[] { "Dashboard", "Subjects", "Reviews", "Alerts", "Breaches", "Map", "Reports", "Audit" })
        {
            await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = item, Exact = true })).ToBeVisibleAsync();
        }

        var badge = page.GetByTestId("user-badge");
        await Assertions.Expect(badge).ToContainTextAsync("Amira Hassan");
        await Assertions.Expect(badge).ToContainTextAsync("Officer");
        // The day's grid lists the officer's caseload: ten people.
        await Assertions.Expect(page.Locator("table.prompt-grid tbody tr")).ToHaveCountAsync(10);
        await BrowserFixture.ScreenshotAsync(page, "shell-officer");

        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help} ({v.Nodes.Length} nodes)").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task The_theme_toggle_switches_to_dark_and_back_by_keyboard()
    {
        var page = await fixture.SignedInPageAsync("supervisor1");
        var toDark = page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark theme" });

        await toDark.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "shell-supervisor-dark");
        await BrowserFixture.AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task The_sign_in_page_passes_an_accessibility_scan()
    {
        var page = await (await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.App.BaseAddress.ToString() })).NewPageAsync();
        await page.GotoAsync("/account/sign-in");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "sign-in");

        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }
}
