using System.Net.Http.Headers;
using System.Text;
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

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string Now(int secondsOffset = 0) =>
        DateTimeOffset.UtcNow.AddSeconds(secondsOffset).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
}
