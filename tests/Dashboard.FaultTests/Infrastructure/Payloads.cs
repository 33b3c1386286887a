using System.Globalization;
using System.Net;
using System.Text;

namespace Dashboard.FaultTests.Infrastructure;

/// <summary>Ingestion bodies as a device platform sends them.</summary>
public static class Payloads
{
    public static string Now(int secondsOffset = 0) =>
        DateTimeOffset.UtcNow.AddSeconds(secondsOffset).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static string Device(int n) => string.Create(CultureInfo.InvariantCulture, $"demo-{n:0000}");

    public static string CheckIn(Guid eventId, string deviceId, double match = 0.93, double liveness = 0.9) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"eventId":"{{eventId}}","deviceId":"{{deviceId}}","capturedAt":"{{Now(-5)}}","matchScore":{{match}},"livenessScore":{{liveness}}}""");

    /// <summary>A batch of fixes with event ids, spread over the demo devices, a second apart per device.</summary>
    public static string Locations(IReadOnlyList<Guid> eventIds, DateTimeOffset start)
    {
        var body = new StringBuilder("[");
        for (var i = 0; i < eventIds.Count; i++)
        {
            if (i > 0)
            {
                body.Append(',');
            }

            var at = start.AddMilliseconds(i * 10).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            body.Append(CultureInfo.InvariantCulture,
                $$"""{"eventId":"{{eventIds[i]}}","deviceId":"{{Device((i % 60) + 1)}}","at":"{{at}}","lat":{{51.5 + (i % 100 * 0.0001)}},"lon":{{-0.12 - (i % 70 * 0.0001)}},"accuracyM":8,"batteryPct":80}""");
        }

        return body.Append(']').ToString();
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static HttpClient Partner(Uri baseAddress, string key, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

/// <summary>
/// A JSON body sent in two halves with a pause between, so that the request is in flight (headers
/// received, handler reading) for as long as the test wants.
/// </summary>
public sealed class HeldContent(string json) : HttpContent
{
    private readonly byte[] _bytes = Encoding.UTF8.GetBytes(json);
    private readonly TaskCompletionSource _firstHalfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task FirstHalfSent => _firstHalfSent.Task;

    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var half = _bytes.Length / 2;
        await stream.WriteAsync(_bytes.AsMemory(0, half));
        await stream.FlushAsync();
        _firstHalfSent.TrySetResult();
        await _release.Task;
        await stream.WriteAsync(_bytes.AsMemory(half));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _bytes.Length;
        return true;
    }

    public static HeldContent For(string json)
    {
        var content = new HeldContent(json);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }
}
