using System.Globalization;
using Dashboard.Domain;
using Dashboard.Features.Reports.Pdf;
using Dashboard.Security;
using Microsoft.Extensions.Options;

namespace Dashboard.Features.Reports;

public static class ReportSetup
{
    /// <summary>Breach reports as PDF (PDFsharp, embedded fonts from <see cref="PdfFontOptions"/>), bulk exports and verification.</summary>
    public static void AddReports(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PdfFontOptions>().BindConfiguration(PdfFontOptions.Section).ValidateDataAnnotations()
            .Validate(o => File.Exists(Path.Combine(o.Directory, o.Regular)), "The report fonts are missing: install fonts-dejavu-core (scripts/setup.sh does) or set Reports:Fonts:Directory.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            PdfFonts.Install(sp.GetRequiredService<IOptions<PdfFontOptions>>().Value);
            return new LoadBreachReport(sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Data.DashboardDb>>(), sp.GetRequiredService<Npgsql.NpgsqlDataSource>());
        });
        builder.Services.AddSingleton<ExportBreachReport>();
        builder.Services.AddSingleton<BulkExportReports>();
        builder.Services.AddSingleton<BulkExportJobs>();
        builder.Services.AddSingleton<VerifyReport>();
    }

    /// <summary>
    /// <c>GET /api/reports/breaches/{id}.pdf?photos=</c>: one breach report, for staff whose scope holds the
    /// breach (else 404, and an access refusal recorded when the breach exists outside their scope). <c>GET /api/reports/bulk/{job}.zip</c> and
    /// <c>GET /api/reports/bulk.zip?from=&amp;to=&amp;team=&amp;officer=&amp;state=</c>: auditors' bulk exports.
    /// </summary>
    public static void MapReports(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/reports").ExcludeFromDescription();
        group.MapGet("/breaches/{id:guid}.pdf", PdfAsync).RequireAuthorization(Policies.Staff);
        group.MapGet("/bulk/{job:guid}.zip", JobZipAsync).RequireAuthorization(Policies.Auditor);
        group.MapGet("/bulk.zip", FilterZipAsync).RequireAuthorization(Policies.Auditor);
    }

    private static async Task PdfAsync(Guid id, bool? photos, HttpContext http, ExportBreachReport export, AccessRefusals refusals, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (CurrentUser.From(http.User) is not { } user)
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var report = await export.HandleAsync(id, photos ?? false, user, ct);
        if (report is null)
        {
            await refusals.OutOfScopeAsync(user, AccessRefusals.Record.Breach, id, "the breach report", ct);
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        http.Response.ContentType = "application/pdf";
        http.Response.ContentLength = report.Pdf.Length;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{report.FileName}\"";
        http.Response.Headers["X-Report-Number"] = report.ReportNumber;
        http.Response.Headers["X-Report-Sha256"] = report.Sha256;
        await http.Response.Body.WriteAsync(report.Pdf, ct);
    }

    private static async Task JobZipAsync(Guid job, HttpContext http, BulkExportJobs jobs, BulkExportReports bulk)
    {
        http.Response.Headers.CacheControl = "no-store";
        var user = CurrentUser.From(http.User);
        var found = user is null ? null : jobs.Find(job, user);
        if (found is null || !found.TryStart())
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await RunAsync(found, user!, http, bulk);
    }

    private static async Task FilterZipAsync(string? from, string? to, Guid? team, Guid? officer, string? state, HttpContext http, BulkExportJobs jobs, BulkExportReports bulk)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (CurrentUser.From(http.User) is not { } user)
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (!TryDate(from, out var start) || !TryDate(to, out var end) || (state is not null && !Enum.TryParse<BreachState>(state, ignoreCase: true, out _)))
        {
            await Results.Problem("'from' and 'to' are dates (yyyy-MM-dd); 'state' is Proposed, Confirmed, Rejected or Withdrawn.", statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http);
            return;
        }

        BreachState? breachState = state is null ? null : Enum.Parse<BreachState>(state, ignoreCase: true);
        var filter = new BulkExportReports.Filter(start, end, team, officer, breachState);
        var ids = await bulk.MatchingAsync(filter, user, http.RequestAborted);
        var job = jobs.Create(user, filter, ids);
        job.TryStart();
        await RunAsync(job, user, http, bulk);
    }

    private static async Task RunAsync(BulkExportJobs.Job job, CurrentUser user, HttpContext http, BulkExportReports bulk)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(job.Cancellation.Token, http.RequestAborted);
        http.Response.ContentType = "application/zip";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"breach-reports-{DateTime.UtcNow:yyyyMMdd-HHmmss}.zip\"";
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await bulk.WriteZipAsync(job.BreachIds, job.Filter, user, http.Response.Body, job.Progress, cancel.Token);
            job.Finish(BulkExportJobs.JobState.Completed);
        }
        catch (OperationCanceledException)
        {
            job.Finish(BulkExportJobs.JobState.Cancelled);
            // A cut-off ZIP must not look complete: end the connection instead of the response.
            http.Abort();
        }
        catch
        {
            job.Finish(BulkExportJobs.JobState.Failed);
            throw;
        }
    }

    private static bool TryDate(string? text, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            date = d;
            return true;
        }

        return false;
    }
}
