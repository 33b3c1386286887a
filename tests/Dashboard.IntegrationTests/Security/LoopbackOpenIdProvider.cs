using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Dashboard.IntegrationTests.Security;

/// <summary>A person as Entra ID would describe them: object id, name and app roles.</summary>
public sealed record ProviderUser(string ObjectId, string Name, params string[] Roles);

/// <summary>
/// A minimal OpenID Connect provider on 127.0.0.1, laid out like Entra ID's v2.0 endpoints:
/// discovery, JWKS with an RSA key, an authorize endpoint that issues a code for the chosen user
/// (authorization code flow with PKCE, form_post or query), a token endpoint that checks the client
/// secret and the code verifier and returns an RS256-signed id_token, and an end-session endpoint.
/// </summary>
public sealed class LoopbackOpenIdProvider : IAsyncDisposable
{
    public const string Tenant = "0b9a4f7e-0000-4000-8000-00000000c0de";
    public const string ClientId = "5d3c1e2a-0000-4000-8000-000000000d4b";
    public const string ClientSecret = "loopback-test-client-secret";
    private const string KeyId = "loopback-key-1";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);
    private WebApplication _host = null!;

    private sealed record PendingCode(ProviderUser User, string RedirectUri, string? Nonce, string? CodeChallenge, bool Tamper);

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The Entra ID "Instance" setting: the provider's root.</summary>
    public string Instance => BaseAddress.ToString();

    public string Issuer => $"{BaseAddress.ToString().TrimEnd('/')}/{Tenant}/v2.0";

    /// <summary>Who signs in at the next authorize request (the provider's "login page" in one line).</summary>
    public ProviderUser? NextUser { get; set; }

    /// <summary>When set, the next id_token's payload is altered after signing (its signature no longer matches).</summary>
    public bool TamperNextToken { get; set; }

    /// <summary>The query strings of the authorize requests received, newest last.</summary>
    public ConcurrentQueue<string> AuthorizeRequests { get; } = new();

    /// <summary>The query strings of the end-session requests received.</summary>
    public ConcurrentQueue<string> EndSessionRequests { get; } = new();

    public static async Task<LoopbackOpenIdProvider> StartAsync()
    {
        var provider = new LoopbackOpenIdProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var host = builder.Build();
        provider.Map(host);
        await host.StartAsync();
        provider._host = host;
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return provider;
    }

    private void Map(WebApplication host)
    {
        var v2 = $"/{Tenant}/v2.0";
        var oauth = $"/{Tenant}/oauth2/v2.0";
        host.MapGet($"{v2}/.well-known/openid-configuration", () => Results.Content($$"""
            {
              "issuer": "{{Issuer}}",
              "authorization_endpoint": "{{Url($"{oauth}/authorize")}}",
              "token_endpoint": "{{Url($"{oauth}/token")}}",
              "end_session_endpoint": "{{Url($"{oauth}/logout")}}",
              "jwks_uri": "{{Url($"/{Tenant}/discovery/v2.0/keys")}}",
              "response_types_supported": ["code"],
              "response_modes_supported": ["query", "form_post"],
              "subject_types_supported": ["pairwise"],
              "id_token_signing_alg_values_supported": ["RS256"],
              "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
              "code_challenge_methods_supported": ["S256"],
              "scopes_supported": ["openid", "profile", "email", "offline_access"]
            }
            """, "application/json"));

        host.MapGet($"/{Tenant}/discovery/v2.0/keys", () =>
        {
            var parameters = _rsa.ExportParameters(includePrivateParameters: false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
                },
            });
        });

        host.MapGet($"{oauth}/authorize", (HttpRequest request) =>
        {
            var q = request.Query;
            AuthorizeRequests.Enqueue(request.QueryString.Value ?? "");
            if (q["client_id"] != ClientId)
            {
                return Results.BadRequest("unauthorized_client");
            }

            if (q["response_type"] != "code")
            {
                return Results.BadRequest("unsupported_response_type: this provider speaks the authorization code flow only");
            }

            if (q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"]))
            {
                return Results.BadRequest("invalid_request: PKCE (S256) is required");
            }

            var user = NextUser ?? throw new InvalidOperationException("Choose the signing-in user (NextUser) first.");
            var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
            var redirectUri = q["redirect_uri"].ToString();
            _codes[code] = new PendingCode(user, redirectUri, q["nonce"], q["code_challenge"], TamperNextToken);
            TamperNextToken = false;
            var state = q["state"].ToString();
            if (q["response_mode"] == "form_post")
            {
                // What Entra ID answers: a page that posts the code back to the app.
                var html = $"""
                    <html><body onload="document.forms[0].submit()">
                    <form method="post" action="{WebUtility.HtmlEncode(redirectUri)}">
                    <input type="hidden" name="code" value="{WebUtility.HtmlEncode(code)}" />
                    <input type="hidden" name="state" value="{WebUtility.HtmlEncode(state)}" />
                    </form></body></html>
                    """;
                return Results.Content(html, "text/html");
            }

            return Results.Redirect($"{redirectUri}?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state)}");
        });

        host.MapPost($"{oauth}/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var (clientId, clientSecret) = ClientCredentials(request, form);
            if (clientId != ClientId || clientSecret != ClientSecret)
            {
                return Results.Json(new { error = "invalid_client" }, statusCode: StatusCodes.Status401Unauthorized);
            }

            if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var pending)
                || pending.RedirectUri != form["redirect_uri"])
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
            }

            var verifier = form["code_verifier"].ToString();
            var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            if (challenge != pending.CodeChallenge)
            {
                return Results.Json(new { error = "invalid_grant", error_description = "PKCE verification failed" }, statusCode: StatusCodes.Status400BadRequest);
            }

            var accessToken = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
            var idToken = IdToken(pending, accessToken);
            return Results.Json(new { token_type = "Bearer", expires_in = 3600, access_token = accessToken, id_token = idToken, scope = "openid profile" });
        });

        host.MapGet($"{oauth}/logout", (HttpRequest request) =>
        {
            EndSessionRequests.Enqueue(request.QueryString.Value ?? "");
            var back = request.Query["post_logout_redirect_uri"].ToString();
            var state = request.Query["state"].ToString();
            return string.IsNullOrEmpty(back)
                ? Results.Content("<html><body>Signed out.</body></html>", "text/html")
                : Results.Redirect(state.Length == 0 ? back : $"{back}?state={Uri.EscapeDataString(state)}");
        });
    }

    private string Url(string path) => $"{BaseAddress.ToString().TrimEnd('/')}{path}";

    private static (string? Id, string? Secret) ClientCredentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
            return (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }

        return (form["client_id"], form["client_secret"]);
    }

    private string IdToken(PendingCode pending, string accessToken)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "sub-" + pending.User.ObjectId,
            ["oid"] = pending.User.ObjectId,
            ["tid"] = Tenant,
            ["name"] = pending.User.Name,
            ["preferred_username"] = pending.User.Name.Replace(' ', '.').ToLowerInvariant() + "@probation.example",
            ["ver"] = "2.0",
            ["at_hash"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken))[..16]),
        };
        if (pending.User.Roles.Length > 0)
        {
            claims["roles"] = pending.User.Roles;
        }

        if (pending.Nonce is { Length: > 0 } nonce)
        {
            claims["nonce"] = nonce;
        }

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = claims,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
        return pending.Tamper ? Tampered(token) : token;
    }

    /// <summary>The same token with the role changed to Supervisor in its payload, and the original signature.</summary>
    private static string Tampered(string token)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload["roles"] = new JsonArray("Supervisor");
        parts[1] = Base64UrlEncoder.Encode(payload.ToJsonString(new JsonSerializerOptions()));
        return string.Join('.', parts);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            await _host.DisposeAsync();
        }

        _rsa.Dispose();
    }
}
