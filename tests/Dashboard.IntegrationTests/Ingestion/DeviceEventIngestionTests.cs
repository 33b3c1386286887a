using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Ingestion;
using Dashboard.Testing;

namespace Dashboard.IntegrationTests.Ingestion;

public class DeviceEventIngestionTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    private static string Body(Guid eventId, string device = "demo-0020", string kind = "strapTamper", string? at = null) =>
        $$"""{"eventId":"{{eventId}}","deviceId":"{{device}}","at":"{{at ?? IngestionApp.Now()}}","kind":"{{kind}}","detail":"Strap opened"}""";

    private Task<long> StoredAsync(Guid eventId) =>
        Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM device_events WHERE event_id = $1", eventId);

    [Theory]
    [InlineData("kind", "explode", null, "Must be one of: strapTamper, lowBattery, noGpsFix, signalLost, powerOff, powerOn, charging.")]
    [InlineData("kind", "3", null, "Must be one of: strapTamper, lowBattery, noGpsFix, signalLost, powerOff, powerOn, charging.")]
    [InlineData("kind", "strapTamper, lowBattery", null, "Must be one of: strapTamper, lowBattery, noGpsFix, signalLost, powerOff, powerOn, charging.")]
    [InlineData("at", "strapTamper", "2026-13-45T99:00:00Z", "Must be an RFC 3339 timestamp with an offset, such as 2026-11-27T14:05:00Z.")]
    [InlineData("at", "strapTamper", "2001-01-01T00:00:00Z", "Is older than the 30-day acceptance window.")]
    public async Task A_bad_field_is_refused_with_400_naming_it_and_nothing_is_stored(string field, string kind, string? at, string message)
    {
        var eventId = Guid.NewGuid();
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/device-events", UriKind.Relative), IngestionApp.Json(Body(eventId, kind: kind, at: at)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(0, await StoredAsync(eventId));
    }

    [Fact]
    public async Task A_device_event_is_stored_once_and_a_repeat_answers_200_with_the_first_id()
    {
        var eventId = Guid.NewGuid();
        using var client = fixture.Partner();

        var first = await client.PostAsync(new Uri("/api/v1/device-events", UriKind.Relative), IngestionApp.Json(Body(eventId, kind: "LowBattery")));
        var repeat = await client.PostAsync(new Uri("/api/v1/device-events", UriKind.Relative), IngestionApp.Json(Body(eventId, kind: "LowBattery")));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(await first.Content.ReadFromJsonAsync<SubmitDeviceEvent.Response>(), await repeat.Content.ReadFromJsonAsync<SubmitDeviceEvent.Response>());
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM device_events WHERE event_id = $1 AND kind = 'LowBattery'", eventId));
    }

    [Fact]
    public async Task An_unknown_device_gets_404_and_nothing_is_stored()
    {
        var eventId = Guid.NewGuid();
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/device-events", UriKind.Relative), IngestionApp.Json(Body(eventId, device: "demo-0999")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, await StoredAsync(eventId));
    }

    [Fact]
    public async Task A_wrong_key_gets_401_and_nothing_is_stored()
    {
        var eventId = Guid.NewGuid();
        using var client = fixture.Partner("dk_zzzzzzzz_notarealkeynotarealkeynotareal");

        var response = await client.PostAsync(new Uri("/api/v1/device-events", UriKind.Relative), IngestionApp.Json(Body(eventId)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await StoredAsync(eventId));
    }
}
