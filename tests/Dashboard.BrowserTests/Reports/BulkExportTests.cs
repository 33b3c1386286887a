using System.Text.RegularExpressions;
using Dashboard.Testing;
using Dashboard.Testing.Reports;
using Microsoft.Playwright;
using Npgsql;

namespace Dashboard.BrowserTests.Reports;

/// <summary>An auditor's bulk export on /reports: the progress the page shows while the ZIP downloads, and cancelling it.</summary>
public class BulkExportTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>The audit chain's advisory lock: every export appends an audit entry under it.</summary>
    private const long AuditChainLock = Dashboard.Audit.AuditLog.ChainLockKey;

    [Fact]
    public async Task An_auditor_sees_a_bulk_export_progress_and_cancels_it()
    {
        // Breaches of a day of their own, long ago, so the date filter finds exactly these.
        var day = new DateTimeOffset(2025, 5, 20, 9, 0, 0, TimeSpan.Zero);
        var ids = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await ReportSeed.BreachAsync(fixture.App.Services, fixture.App.ConnectionString, $"demo-{(i % 60) + 1:0000}", evidence: 5, trailDays: 1, fixSeconds: 0, end: day.AddMinutes(i))).BreachId);
        }

        var page = await fixture.SignedInPageAsync("auditor1", "/reports");
        var errors = BrowserFixture.CollectErrors(page);
        await page.GetByLabel("Proposed from (date)").FillAsync("2025-05-20");
        await page.GetByLabel("Proposed to (date)").FillAsync("2025-05-20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find matching breaches" }).ClickAsync();
        var status = page.GetByTestId("reports-status");
        await Assertions.Expect(status).ToHaveTextAsync("12 breaches match.");

        // The test paces the export, whatever the machine's speed, by holding the audit chain's lock and
        // letting one audit entry (the bulk export's, then one per report) through at a time.
        await using var gate = new NpgsqlConnection(fixture.App.ConnectionString);
        await gate.OpenAsync();
        await ExecuteAsync(gate, $"SELECT pg_advisory_lock({AuditChainLock})");
        try
        {
            var downloading = page.WaitForDownloadAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Export 12 reports as ZIP" }).ClickAsync();
            var bar = status.GetByRole(AriaRole.Progressbar, new() { Name = "Export progress" });
            var cancel = page.GetByRole(AriaRole.Button, new() { Name = "Cancel export" });
            await Assertions.Expect(cancel).ToBeVisibleAsync();
            await Assertions.Expect(bar).ToHaveAttributeAsync("aria-valuemax", "12");

            await LetOneThroughAsync(gate); // the bulk export's own audit entry
            await LetOneThroughAsync(gate); // report 1
            await Assertions.Expect(bar).ToHaveAttributeAsync("aria-valuenow", "1", new() { Timeout = 15_000 });
            await Assertions.Expect(status).ToContainTextAsync("1 of 12 reports written");
            await BrowserFixture.AssertAccessibleAsync(page);

            await LetOneThroughAsync(gate); // report 2
            await Assertions.Expect(bar).ToHaveAttributeAsync("aria-valuenow", "2", new() { Timeout = 15_000 });
            await Assertions.Expect(bar).ToHaveAttributeAsync("aria-valuetext", "2 of 12 reports");
            await Assertions.Expect(status).ToContainTextAsync("2 of 12 reports written");
            await BrowserFixture.ScreenshotAsync(page, "reports-bulk-running");

            // Report 3 is being written when the auditor cancels: it is finished, and nothing after it.
            await WaitForWaiterAsync(gate);
            await cancel.ClickAsync();
            await ExecuteAsync(gate, $"SELECT pg_advisory_unlock({AuditChainLock})");

            await Assertions.Expect(status).ToContainTextAsync(
                "Cancelled after 3 of 12 reports; the download was stopped and is incomplete. The reports written so far are recorded as exported.", new() { Timeout = 15_000 });
            await Assertions.Expect(cancel).ToBeHiddenAsync();
            await Assertions.Expect(bar).ToHaveAttributeAsync("aria-valuenow", "3");
            // The browser's download failed rather than ending as a complete file.
            var download = await downloading;
            Assert.NotNull(await download.FailureAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(3, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM report_exports WHERE breach_id = ANY($1)", ids.ToArray()));
            await BrowserFixture.ScreenshotAsync(page, "reports-bulk-cancelled");
            Assert.Empty(errors);
        }
        finally
        {
            await ExecuteAsync(gate, "SELECT pg_advisory_unlock_all()");
        }
    }

    /// <summary>Once an audit append waits for the lock, lets it through and takes the lock back before the next one.</summary>
    private static async Task LetOneThroughAsync(NpgsqlConnection gate)
    {
        await WaitForWaiterAsync(gate);
        await ExecuteAsync(gate, $"SELECT pg_advisory_unlock({AuditChainLock})");
        // Queued behind the waiting append, so granted when its transaction ends.
        await ExecuteAsync(gate, $"SELECT pg_advisory_lock({AuditChainLock})");
    }

    private static async Task WaitForWaiterAsync(NpgsqlConnection gate)
    {
        for (var i = 0; i < 300; i++)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", gate);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("No audit entry waited for the lock.");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
