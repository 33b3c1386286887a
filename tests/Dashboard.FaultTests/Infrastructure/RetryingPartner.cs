using System.Collections.Concurrent;
using System.Net;

namespace Dashboard.FaultTests.Infrastructure;

/// <summary>
/// A device platform that sends each item until it is taken (2xx), resending the very same body (same
/// eventIds) after any failure, as the ingestion contract asks of partners.
/// </summary>
public sealed class RetryingPartner(Func<HttpClient> client)
{
    /// <summary>Every answer and failure seen, by kind ("503", "500", "HttpRequestException", ...).</summary>
    public ConcurrentDictionary<string, int> Outcomes { get; } = new();

    public int Retries => _retries;

    private int _retries;

    public async Task<HttpResponseMessage> SendUntilTakenAsync(string path, string json, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var http = client();
                var response = await http.PostAsync(new Uri(path, UriKind.Relative), Payloads.Json(json), ct);
                Outcomes.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                if (response.IsSuccessStatusCode)
                {
                    return response;
                }

                if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
                    or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests))
                {
                    throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                Outcomes.AddOrUpdate(ex.GetType().Name, 1, (_, n) => n + 1);
            }

            Interlocked.Increment(ref _retries);
            await Task.Delay(200, ct);
        }
    }
}
