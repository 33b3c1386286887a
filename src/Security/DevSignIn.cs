using System.Security.Claims;
using Dashboard.Audit;
using Dashboard.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Security;

/// <summary>
/// The development sign-in: choose a demo user by login name. Mapped only in Development without Entra ID.
/// </summary>
public static class DevSignIn
{
    public static void MapDevSignIn(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/account").AllowAnonymous();
        account.MapGet("/dev-sign-in", SignInAsync).WithName("DevSignIn").ExcludeFromDescription();
    }

    internal static async Task<IResult> SignInAsync(
        [FromQuery] string? user,
        [FromQuery] string? returnUrl,
        HttpContext http,
        IDbContextFactory<DashboardDb> dbFactory,
        AuditLog audit,
        CancellationToken ct)
    {
        // Counted like Entra ID's sign-in (429 with Retry-After past the limit), before anyone is looked up.
        if (!await SignInRateLimit.TryEnterAsync(http, development: true))
        {
            return Results.Empty;
        }

        if (string.IsNullOrWhiteSpace(user))
        {
            return Results.Problem(
                title: "Sign-in refused",
                detail: "The 'user' query parameter is required (for example user=officer1).",
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["user"] = ["Required."] } });
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var staff = await db.Staff.AsNoTracking().SingleOrDefaultAsync(s => s.LoginName == user && s.Active, ct);
        if (staff is null)
        {
            return Results.Problem(
                title: "Sign-in refused",
                detail: $"There is no demo user named '{user}'.",
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["user"] = ["Unknown user."] } });
        }

        List<Claim> claims =
        [
            new(ClaimTypes.Name, staff.DisplayName),
            new(ClaimTypes.Role, staff.Role.ToString()),
            new(DashboardClaims.StaffId, staff.Id.ToString()),
            new(DashboardClaims.LoginName, staff.LoginName),
        ];
        if (staff.TeamId is { } team)
        {
            claims.Add(new(DashboardClaims.TeamId, team.ToString()));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, "DevSignIn", ClaimTypes.Name, ClaimTypes.Role));
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        await audit.AppendAsync(new AuditEntry(staff.Id, staff.DisplayName, AuditActions.SignIn, Detail: "development sign-in"), ct);
        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    /// <summary>Only paths of this site: never an open redirect.</summary>
    internal static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && Microsoft.AspNetCore.Http.HttpResults.RedirectHttpResult.IsLocalUrl(url);
}

public static class SignOutEndpoint
{
    public static void MapSignOut(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/account/sign-out", async (HttpContext http, AuditLog audit, SignInConfiguration signIn, CancellationToken ct) =>
        {
            // The antiforgery middleware only checks; without a form to bind, refusing is ours to do, or
            // another site could sign an officer out mid-work.
            if (http.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is not { IsValid: true })
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The sign-out form has expired. Reload the page and sign out again.");
            }

            if (CurrentUser.From(http.User) is { } user)
            {
                await audit.AppendAsync(new AuditEntry(user.Id, user.Name, AuditActions.SignOut), ct);
            }

            if (signIn.Mode == SignInMode.Entra)
            {
                // Ends the dashboard's session and the Entra ID session; Entra ID returns to the signed-out page.
                return Results.SignOut(
                    new AuthenticationProperties { RedirectUri = "/account/signed-out" },
                    [CookieAuthenticationDefaults.AuthenticationScheme, Microsoft.AspNetCore.Authentication.OpenIdConnect.OpenIdConnectDefaults.AuthenticationScheme]);
            }

            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/account/signed-out");
        }).AllowAnonymous().WithMetadata(new RequireAntiforgeryTokenAttribute());
}
