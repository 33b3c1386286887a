using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dashboard.Ingestion;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Alerts;

/// <summary>The seeded app with the alert timers ticking every second, an ingest key, and helpers for the rules' inputs.</summary>
public class AlertSourcesApp : IAsyncLifetime
{
    public DashboardApp App { get; private set; } = null!;
    public string Key { get; private set; } = "";

    public static Dictionary<string, string?> FastTimers(int batchSize = 200) => new()
    {
        ["Alerts:TimerInterval"] = "00:00:01",
        ["Alerts:TimerBatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
    };

    public async Task InitializeAsync()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync(GetType().Name);
        App = new DashboardApp(connectionString) { SeedDemo = true, Settings = FastTimers() }.Start();
        (_, Key) = await App.Services.GetRequiredService<IngestKeys>().CreateAsync("Test platform", CancellationToken.None);
    }

    /// <summary>A moment in the past, to the whole second (the API carries milliseconds, the database microseconds).</summary>
    public static DateTimeOffset Ago(TimeSpan span)
    {
        var at = DateTimeOffset.UtcNow - span;
        return at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    public string Db => App.ConnectionString;

    public async Task<Guid> SubjectOfAsync(string deviceId) =>
        (Guid)(await Sql.ScalarAsync(Db, "SELECT subject_id FROM devices WHERE id = $1", deviceId))!;

    public async Task PostFixesAsync(string deviceId, IEnumerable<(DateTimeOffset At, double Lat, double Lon, double AccuracyM, int? BatteryPct)> fixes)
    {
        var body = "[" + string.Join(",", fixes.Select(f => string.Create(CultureInfo.InvariantCulture,
            $$"""{"deviceId":"{{deviceId}}","at":"{{f.At.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}}","lat":{{f.Lat}},"lon":{{f.Lon}},"accuracyM":{{f.AccuracyM}}{{(f.BatteryPct is { } b ? $",\"batteryPct\":{b}" : "")}}}"""))) + "]";
        using var client = Partner();
        var response = await client.PostAsync(new Uri("/api/v1/locations", UriKind.Relative), IngestionApp.Json(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<SubmitLocations.Response>();
        Assert.Empty(result!.Rejected);
    }

    public async Task<HttpStatusCode> PostDeviceEventAsync(string deviceId, string kind, Guid? eventId = null, DateTimeOffset? at = null)
    {
        using var client = Partner();
        var when = (at ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var response = await client.PostAsync(new Uri("/api/v1/device-events", UriKind.Relative),
            IngestionApp.Json($$"""{"eventId":"{{eventId ?? Guid.NewGuid()}}","deviceId":"{{deviceId}}","at":"{{when}}","kind":"{{kind}}"}"""));
        return response.StatusCode;
    }

    public HttpClient Partner()
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return client;
    }

    /// <summary>Waits (up to the timeout) until a count query reaches the expected value; answers the last count.</summary>
    public static async Task<long> EventuallyAsync(string connectionString, long expected, string sql, params object[] parameters)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        long count;
        while ((count = await Sql.CountAsync(connectionString, sql, parameters)) != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        return count;
    }
}
