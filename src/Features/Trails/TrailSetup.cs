using System.Globalization;
using Dashboard.Security;

namespace Dashboard.Features.Trails;

public static class TrailSetup
{
    public static void AddTrails(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TrailOptions>().BindConfiguration(TrailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<GetTrail>();
        builder.Services.AddSingleton<ExportTrail>();
        builder.Services.AddSingleton<GetCaseloadPositions>();
        builder.Services.AddSingleton<TrailPacker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TrailPacker>());
    }

    /// <summary>
    /// <c>GET /api/subjects/{id}/trail?from=&amp;to=&amp;zoom=</c> (JSON) and <c>GET /api/subjects/{id}/trail.csv?from=&amp;to=&amp;condensed=</c>
    /// (an audited download), for signed-in staff whose scope includes the subject; anyone else gets 404 (the attempt recorded for the auditors).
    /// </summary>
    public static void MapTrails(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/subjects/{id:guid}").RequireAuthorization(Policies.Staff).ExcludeFromDescription();
        group.MapGet("/trail", TrailAsync);
        group.MapGet("/trail.csv", CsvAsync);
    }

    private static async Task<IResult> TrailAsync(Guid id, string? from, string? to, int? zoom, bool? all, HttpContext http, GetTrail getTrail, AccessRefusals refusals, TimeProvider clock, Microsoft.Extensions.Options.IOptions<TrailOptions> options, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (user is null)
        {
            return Results.Forbid();
        }

        http.Response.Headers.CacheControl = "no-store";
        if (!TryRange(from, to, clock, options.Value, out var start, out var end, out var problem))
        {
            return Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
        }

        var trail = await getTrail.HandleAsync(new GetTrail.Query(id, start, end, AllPoints: false, zoom), user, ct);
        if (trail?.Timings is { } timings)
        {
            http.Response.Headers["Server-Timing"] = timings.ToServerTiming();
        }

        if (trail is null)
        {
            await refusals.OutOfScopeAsync(user, AccessRefusals.Record.Subject, id, "the trail", ct);
            return Results.NotFound();
        }

        return Results.Ok(trail);
    }

    private static async Task CsvAsync(Guid id, string? from, string? to, bool? condensed, HttpContext http, ExportTrail export, AccessRefusals refusals, TimeProvider clock, Microsoft.Extensions.Options.IOptions<TrailOptions> options, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        http.Response.Headers.CacheControl = "no-store";
        if (user is null)
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (!TryRange(from, to, clock, options.Value, out var start, out var end, out var problem))
        {
            await Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http);
            return;
        }

        var written = await export.WriteAsync(new ExportTrail.Command(id, start, end, condensed ?? false), user, http.Response.Body, fileName =>
        {
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            return Task.CompletedTask;
        }, ct);
        if (!written)
        {
            await refusals.OutOfScopeAsync(user, AccessRefusals.Record.Subject, id, "the trail CSV", ct);
            http.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    /// <summary>Default: the last 24 hours. Times are ISO 8601 with an offset.</summary>
    private static bool TryRange(string? from, string? to, TimeProvider clock, TrailOptions options, out DateTimeOffset start, out DateTimeOffset end, out string problem)
    {
        problem = "";
        end = clock.GetUtcNow();
        start = end.AddHours(-24);
        if (to is not null && !DateTimeOffset.TryParse(to, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out end))
        {
            problem = "'to' is not a date and time.";
            return false;
        }

        if (from is not null && !DateTimeOffset.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out start))
        {
            problem = "'from' is not a date and time.";
            return false;
        }
        else if (from is null)
        {
            start = end.AddHours(-24);
        }

        if (end <= start)
        {
            problem = "'from' must be before 'to'.";
            return false;
        }

        if (end - start > TimeSpan.FromDays(options.MaxRangeDays))
        {
            problem = $"A trail covers at most {options.MaxRangeDays} days.";
            return false;
        }

        return true;
    }
}
