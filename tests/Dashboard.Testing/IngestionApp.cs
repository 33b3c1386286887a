using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dashboard.Ingestion;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Testing;

/// <summary>The seeded app with an ingest key, and helpers to call the ingestion API as a partner would.</summary>
public class IngestionApp : SeededApp
{
    public string Key { get; private set; } = "";
    public Guid ClientId { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var (client, key) = await App.Services.GetRequiredService<IngestKeys>().CreateAsync("Test platform", CancellationToken.None);
        Key = key;
        ClientId = client.Id;
    }

    public HttpClient Partner(string? key = null)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? Key);
        return client;
    }

    /// <summary>Posts a check-in as the test platform; answers the stored check-in's id.</summary>
    public async Task<Guid> PostCheckInAsync(string deviceId, double match = 0.9, double liveness = 0.9, Guid? promptId = null)
    {
        using var client = Partner();
        var prompt = promptId is null ? "" : $",\"promptId\":\"{promptId}\"";
        var body = string.Create(CultureInfo.InvariantCulture,
            $"{{\"eventId\":\"{Guid.NewGuid()}\",\"deviceId\":\"{deviceId}\",\"capturedAt\":\"{Now()}\",\"matchScore\":{match},\"livenessScore\":{liveness}{prompt}}}");
        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), Json(body));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("checkInId").GetGuid();
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string Now(int secondsOffset = 0) =>
        DateTimeOffset.UtcNow.AddSeconds(secondsOffset).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
