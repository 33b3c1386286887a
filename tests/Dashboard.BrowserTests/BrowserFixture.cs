using Dashboard.Testing;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Dashboard.BrowserTests;

/// <summary>The app on real Kestrel with the demo service seeded, and Debian's Chromium driven by Playwright.</summary>
public sealed class BrowserFixture : IngestionApp
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    protected override bool Kestrel => true;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
    }

    public override async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>Debian's Chromium, headless, without the background traffic this closed network refuses.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        return playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("DASHBOARD_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu"],
        });
    }

    /// <summary>A fresh browser context signed in as a demo user, on the given page, once it is interactive.</summary>
    public Task<IPage> SignedInPageAsync(string login, string path = "/") => SignedInPageAsync(Browser, App.BaseAddress, login, path);

    public static async Task<IPage> SignedInPageAsync(IBrowser browser, Uri baseAddress, string login, string path = "/")
    {
        var context = await browser.NewContextAsync(new() { BaseURL = baseAddress.ToString(), ViewportSize = new() { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/account/dev-sign-in?user={login}&returnUrl={Uri.EscapeDataString(path)}");
        await WaitInteractiveAsync(page);
        return page;
    }

    /// <summary>A click before the circuit is interactive is lost: wait for the layout's marker.</summary>
    public static Task WaitInteractiveAsync(IPage page) =>
        page.Locator("[data-interactive='true']").WaitForAsync(new() { Timeout = 20_000 });

    /// <summary>Collects console errors and uncaught exceptions of a page.</summary>
    public static List<string> CollectErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        return errors;
    }

    public static async Task AssertAccessibleAsync(IPage page)
    {
        // Colours are judged as the user sees them at rest, not halfway through a fade-in (a snackbar).
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)");
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))})").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var dir = Path.Combine(Environment.GetEnvironmentVariable("DASHBOARD_TEST_ARTIFACTS") ?? Path.GetTempPath(), "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }
}
