using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Photos;

/// <summary>
/// <c>GET /photos/{id}</c>: a photo, only to users whose scope includes its subject, never cached, and
/// every view recorded in the audit log (who, when, which photo, why it was opened).
/// </summary>
public static class PhotoEndpoint
{
    public static void MapPhotos(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/photos/{id:guid}", ServeAsync).RequireAuthorization(Policies.Staff).ExcludeFromDescription();

    internal static async Task<IResult> ServeAsync(Guid id, string? purpose, HttpContext http, IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, AccessRefusals refusals, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (user is null)
        {
            return Results.Forbid();
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var photo = await db.Photos.AsNoTracking()
            .Where(p => p.Id == id && Scope.SubjectIds(db, user).Contains(p.SubjectId))
            .Select(p => new { p.SubjectId, p.Kind, p.Jpeg })
            .FirstOrDefaultAsync(ct);
        http.Response.Headers.CacheControl = "no-store";
        if (photo is null)
        {
            // Outside the caseload looks the same as not existing; only the auditors learn of the attempt.
            await refusals.OutOfScopeAsync(user, AccessRefusals.Record.Photo, id, "a photo", ct);
            return Results.NotFound();
        }

        var why = purpose is { Length: > 0 and <= 64 } && purpose.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-') ? purpose : "unspecified";
        await audit.AppendAsync(new AuditEntry(user.Id, user.Name, AuditActions.PhotoViewed, photo.SubjectId, "photo", id.ToString(), $"{photo.Kind} photo viewed for {why}."), ct);
        return Results.File(photo.Jpeg, "image/jpeg");
    }
}
