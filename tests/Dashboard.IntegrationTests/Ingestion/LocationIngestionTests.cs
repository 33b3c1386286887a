using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dashboard.Ingestion;
using Dashboard.Testing;

namespace Dashboard.IntegrationTests.Ingestion;

public class LocationIngestionTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    private static string Fix(string device, DateTimeOffset at, double lat = 51.5, double lon = -0.12, string? extra = null) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"deviceId":"{{device}}","at":"{{at:yyyy-MM-ddTHH:mm:ss.fffZ}}","lat":{{lat}},"lon":{{lon}},"accuracyM":8,"batteryPct":77{{extra}}}""");

    private async Task<(HttpStatusCode Status, SubmitLocations.Response? Body)> PostAsync(IEnumerable<string> fixes)
    {
        using var client = fixture.Partner();
        var response = await client.PostAsync(new Uri("/api/v1/locations", UriKind.Relative), IngestionApp.Json("[" + string.Join(",", fixes) + "]"));
        return (response.StatusCode, response.StatusCode == HttpStatusCode.Accepted ? await response.Content.ReadFromJsonAsync<SubmitLocations.Response>() : null);
    }

    private Task<long> PingsAsync(string device) =>
        Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM location_pings WHERE device_id = $1", device);

    [Fact]
    public async Task Bad_fixes_are_rejected_by_index_with_the_field_and_only_good_ones_are_stored()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var before = await PingsAsync("demo-0010");

        var (status, body) = await PostAsync(
        [
            Fix("demo-0010", at),
            Fix("demo-0010", at.AddSeconds(1), lat: 90.01),
            Fix("demo-0010", at.AddSeconds(2), lon: 180.5),
            Fix("demo-0010", at.AddSeconds(3), extra: ",\"batteryPct\":101").Replace(",\"batteryPct\":77", "", StringComparison.Ordinal),
            Fix("demo-0010", DateTimeOffset.UtcNow.AddMinutes(10)),
            Fix("no-such-device", at),
            "42",
            Fix("demo-0010", at.AddSeconds(5), extra: ",\"eventId\":\"oops\""),
        ]);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1, body!.Accepted);
        Assert.Equal(0, body.Duplicates);
        Assert.Equal(
            [
                new(1, "lat: Must be from -90 to 90; was 90.01."),
                new(2, "lon: Must be from -180 to 180; was 180.5."),
                new(3, "batteryPct: Must be a whole number from 0 to 100."),
                new(4, "at: Is more than 5 minutes in the future: check the device clock."),
                new(5, "deviceId: Unknown device."),
                new(6, "Must be a JSON object."),
                new SubmitLocations.Rejected(7, "eventId: Must be a UUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301."),
            ],
            body.Rejected);
        Assert.Equal(before + 1, await PingsAsync("demo-0010"));
    }

    [Fact]
    public async Task Repeated_fixes_are_counted_as_duplicates_and_stored_once()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-3);
        var eventId = Guid.NewGuid();
        var fixes = new[] { Fix("demo-0011", at), Fix("demo-0011", at.AddSeconds(15), extra: $",\"eventId\":\"{eventId}\"") };

        var first = await PostAsync(fixes);
        var resent = await PostAsync([.. fixes, Fix("demo-0011", at.AddSeconds(30)), Fix("demo-0011", at.AddSeconds(30))]);

        Assert.Equal((2, 0), (first.Body!.Accepted, first.Body.Duplicates));
        Assert.Equal((1, 3), (resent.Body!.Accepted, resent.Body.Duplicates));
        Assert.Equal(3, await PingsAsync("demo-0011"));
    }

    [Fact]
    public async Task Concurrent_resends_of_a_batch_store_each_fix_once()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-20);
        var fixes = Enumerable.Range(0, 200).Select(i => Fix("demo-0012", at.AddSeconds(5 * i))).ToList();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostAsync(fixes)));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));
        Assert.Equal(200, results.Sum(r => r.Body!.Accepted));
        Assert.Equal(1000, results.Sum(r => r.Body!.Duplicates));
        Assert.Equal(200, await PingsAsync("demo-0012"));
    }

    [Fact]
    public async Task Concurrent_batches_over_the_same_devices_in_different_orders_are_all_accepted()
    {
        var devices = Enumerable.Range(40, 12).Select(i => $"demo-{i:0000}").ToList();
        var start = DateTimeOffset.UtcNow.AddHours(-2);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(batch =>
        {
            var order = batch % 2 == 0 ? devices : Enumerable.Reverse(devices).ToList();
            return PostAsync(order.Select((d, i) => Fix(d, start.AddSeconds((batch * 100) + i))));
        }));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));
        Assert.Equal(16 * 12, results.Sum(r => r.Body!.Accepted));
    }

    [Fact]
    public async Task A_batch_of_ten_thousand_fixes_over_three_days_lands_in_the_right_daily_partitions()
    {
        // 10,000 fixes at 30 s intervals span about 3.5 days, ending now.
        var end = DateTimeOffset.UtcNow.AddMinutes(-1);
        var times = Enumerable.Range(0, 10_000).Select(i => end.AddSeconds(-30 * (9_999 - i))).ToList();

        var (status, body) = await PostAsync(times.Select(t => Fix("demo-0013", t)));

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(10_000, body!.Accepted);
        foreach (var day in times.GroupBy(t => t.UtcDateTime.Date))
        {
            var partition = "location_pings_" + day.Key.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            Assert.Equal(day.Count(), await Sql.CountAsync(fixture.App.ConnectionString,
                $"SELECT count(*) FROM {partition} WHERE device_id = 'demo-0013'"));
        }

        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM devices WHERE id = 'demo-0013' AND battery_pct = 77 AND last_fix_at > now() - interval '2 minutes'"));
    }

    [Fact]
    public async Task A_batch_of_more_than_ten_thousand_fixes_is_refused_and_nothing_is_stored()
    {
        var at = DateTimeOffset.UtcNow.AddHours(-5);
        var fixes = Enumerable.Range(0, 10_001).Select(i => Fix("demo-0014", at.AddSeconds(i)));

        using var client = fixture.Partner();
        var response = await client.PostAsync(new Uri("/api/v1/locations", UriKind.Relative), IngestionApp.Json("[" + string.Join(",", fixes) + "]"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Holds 10,001 fixes; a batch holds at most 10,000.",
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("body")[0].GetString());
        Assert.Equal(0, await PingsAsync("demo-0014"));
    }

    [Fact]
    public async Task A_body_that_is_not_an_array_is_refused()
    {
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/locations", UriKind.Relative), IngestionApp.Json(Fix("demo-0015", DateTimeOffset.UtcNow)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Must be a JSON array of fixes.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("body")[0].GetString());
    }

    [Fact]
    public async Task An_oversize_batch_body_is_refused_with_413_even_without_a_content_length()
    {
        using var client = fixture.Partner();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("[" + new string(' ', 5 * 1024 * 1024) + "]")));
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/locations") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Without_a_key_the_batch_is_refused_with_401()
    {
        using var client = fixture.App.CreateClient();

        var response = await client.PostAsync(new Uri("/api/v1/locations", UriKind.Relative), IngestionApp.Json("[" + Fix("demo-0016", DateTimeOffset.UtcNow) + "]"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await PingsAsync("demo-0016"));
    }
}
