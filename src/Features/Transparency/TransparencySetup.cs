using Dashboard.Features.Reports.Pdf;
using Dashboard.Security;
using Microsoft.Extensions.Options;

namespace Dashboard.Features.Transparency;

public static class TransparencySetup
{
    /// <summary>The transparency pack (subject access requests); its PDF uses the report fonts (<see cref="PdfFontOptions"/>).</summary>
    public static void AddTransparency(this IServiceCollection services) => services.AddSingleton(sp =>
    {
        PdfFonts.Install(sp.GetRequiredService<IOptions<PdfFontOptions>>().Value);
        return ActivatorUtilities.CreateInstance<ExportTransparencyPack>(sp);
    });

    /// <summary>
    /// <c>GET /api/transparency/{subjectId}.zip?rawPoints=</c>: the pack of one person, for auditors (others
    /// 403, the refusal recorded); an unknown person 404. The response streams; a cut-off download ends the
    /// connection rather than look complete.
    /// </summary>
    public static void MapTransparency(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/transparency/{subjectId:guid}.zip", ZipAsync).RequireAuthorization(Policies.Auditor).ExcludeFromDescription();

    private static async Task ZipAsync(Guid subjectId, bool? rawPoints, HttpContext http, ExportTransparencyPack export, ILogger<ExportTransparencyPack> logger)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (CurrentUser.From(http.User) is not { } user)
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var started = false;
        try
        {
            var outcome = await export.WriteAsync(new ExportTransparencyPack.Command(subjectId, rawPoints ?? false), user, http.Response.Body, s =>
            {
                started = true;
                http.Response.ContentType = "application/zip";
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{s.FileName}\"";
                http.Response.Headers["X-Pack-Number"] = s.PackNumber;
                http.Response.Headers["X-Report-Sha256"] = s.PdfSha256;
                http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
                return Task.CompletedTask;
            }, http.RequestAborted);
            if (outcome != ExportTransparencyPack.Outcome.Written)
            {
                http.Response.StatusCode = outcome == ExportTransparencyPack.Outcome.Refused ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound;
            }
        }
        catch (Exception ex) when (started)
        {
            if (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "The transparency pack of {SubjectId} failed after the download started", subjectId);
            }


            // A cut-off ZIP must not look complete: end the connection instead of the response.
            http.Abort();
        }
    }
}
