using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Dashboard.Ingestion;

/// <summary>Authenticates device platforms by <c>Authorization: Bearer &lt;ingest key&gt;</c>.</summary>
public sealed class IngestKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IngestKeys keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "IngestKey";
    public const string ClientIdClaim = "dashboard:ingest_client";
    public const string KeyPrefixClaim = "dashboard:ingest_key_prefix";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var caller = await keys.ValidateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (caller is null)
        {
            // Never log the presented key.
            return AuthenticateResult.Fail("Unknown or revoked ingest key.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, caller.Name),
                new Claim(ClientIdClaim, caller.ClientId.ToString()),
                new Claim(KeyPrefixClaim, caller.KeyPrefix),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var missing = string.IsNullOrEmpty(Request.Headers.Authorization);
        await Results.Problem(
            title: "Not authenticated",
            detail: missing
                ? "Send the ingest key as 'Authorization: Bearer <key>'."
                : "The ingest key is unknown or has been revoked.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }
}
