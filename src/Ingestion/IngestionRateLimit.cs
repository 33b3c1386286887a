using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Dashboard.Ingestion;

/// <summary>
/// Each ingest key gets its own token bucket (the <c>Ingestion:RateLimit</c> settings); past it the
/// platform gets 429 with <c>Retry-After</c> and a problem body, and nothing is stored.
/// </summary>
public static class IngestionRateLimit
{
    public const string PolicyName = "ingest-key";

    public static void AddIngestionRateLimit(this IServiceCollection services, IngestionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(PolicyName, http =>
            {
                // Partitioned by key (its prefix), so one noisy partner cannot starve another.
                var key = http.User.FindFirst(IngestKeyAuthentication.KeyPrefixClaim)?.Value ?? "anonymous";
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateLimitBurst,
                    TokensPerPeriod = options.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    title: "Too many requests",
                    detail: string.Create(CultureInfo.InvariantCulture, $"This ingest key is over its rate limit. Nothing was stored; send it again after {retryAfter} s."),
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
            };
        });
    }
}
