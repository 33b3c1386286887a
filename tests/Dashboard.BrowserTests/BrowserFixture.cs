using Dashboard.Testing;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests;

/// <summary>The app on real Kestrel with the demo service seeded, and Debian's Chromium driven by Playwright.</summary>
public sealed class BrowserFixture : SeededApp
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    protected override bool Kestrel => true;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("DASHBOARD_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu"],
        });
    }

    public override async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>A fresh browser context signed in as a demo user, on the given page, once it is interactive.</summary>
    public async Task<IPage> SignedInPageAsync(string login, string path = "/")
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = App.BaseAddress.ToString(), ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/account/dev-sign-in?user={login}&returnUrl={Uri.EscapeDataString(path)}");
        await WaitInteractiveAsync(page);
        return page;
    }

    /// <summary>A click before the circuit is interactive is lost: wait for the layout's marker.</summary>
    public static Task WaitInteractiveAsync(IPage page) =>
        page.Locator("[data-interactive='true']").WaitForAsync(new() { Timeout = 20_000 });

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var dir = Path.Combine(Environment.GetEnvironmentVariable("DASHBOARD_TEST_ARTIFACTS") ?? Path.GetTempPath(), "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }
}
