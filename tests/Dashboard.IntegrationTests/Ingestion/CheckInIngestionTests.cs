using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Ingestion;
using Dashboard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.IntegrationTests.Ingestion;

public class CheckInIngestionTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    private const string Device = "demo-0005";

    private static string Body(Guid eventId, string device = Device, double match = 0.9, double liveness = 0.9, string? extra = null) =>
        $$"""{"eventId":"{{eventId}}","deviceId":"{{device}}","capturedAt":"{{IngestionApp.Now()}}","matchScore":{{match.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"livenessScore":{{liveness.ToString(System.Globalization.CultureInfo.InvariantCulture)}}{{extra}}}""";

    private Task<long> StoredAsync(Guid eventId) =>
        Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM check_ins WHERE event_id = $1", eventId);

    private Task<long> AllCheckInsAndPhotosAsync() =>
        Sql.CountAsync(fixture.App.ConnectionString, "SELECT (SELECT count(*) FROM check_ins) + (SELECT count(*) FROM photos WHERE kind = 'CheckIn')");

    public static TheoryData<string, string, string> BadFields() => new()
    {
        { "eventId", "\"eventId\":\"not-a-uuid\"", "Must be a UUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301." },
        { "deviceId", "\"deviceId\":42", "Must be a string." },
        { "capturedAt", "\"capturedAt\":\"yesterday\"", "Must be an RFC 3339 timestamp with an offset, such as 2026-11-27T14:05:00Z." },
        { "capturedAt", "\"capturedAt\":\"2026-11-27T10:00:00\"", "Must be an RFC 3339 timestamp with an offset, such as 2026-11-27T14:05:00Z." },
        { "capturedAt", $"\"capturedAt\":\"{DateTimeOffset.UtcNow.AddHours(3):O}\"", "Is more than 5 minutes in the future: check the device clock." },
        { "capturedAt", "\"capturedAt\":\"2026-11-27T10:00:00Z\\n\"", "Must be an RFC 3339 timestamp with an offset, such as 2026-11-27T14:05:00Z." },
        { "deviceId", "\"deviceId\":\"demo-\\ud800\"", "Must be valid Unicode text." },
        { "eventId", "\"eventId\":\"\\udfff\"", "Must be valid Unicode text." },
        { "matchScore", "\"matchScore\":1.01", "Must be from 0 to 1; was 1.01." },
        { "matchScore", "\"matchScore\":-0.2", "Must be from 0 to 1; was -0.2." },
        { "matchScore", "\"matchScore\":\"0.9\"", "Must be a number from 0 to 1." },
        { "matchScore", "\"matchScore\":1e400", "Must be a number from 0 to 1." },
        { "livenessScore", "\"livenessScore\":2", "Must be from 0 to 1; was 2." },
        { "location.lat", "\"location\":{\"lat\":90.5,\"lon\":0,\"accuracyM\":5}", "Must be from -90 to 90; was 90.5." },
        { "location.lon", "\"location\":{\"lat\":51,\"lon\":-181,\"accuracyM\":5}", "Must be from -180 to 180; was -181." },
        { "location.accuracyM", "\"location\":{\"lat\":51,\"lon\":0}", "Required." },
        { "photoJpegBase64", "\"photoJpegBase64\":\"aGVsbG8gd29ybGQ=\"", "Is not a JPEG image." },
        { "photoJpegBase64", "\"photoJpegBase64\":\"***\"", "Is not valid base64." },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_bad_field_is_refused_with_400_naming_it_and_nothing_is_stored(string field, string replacement, string message)
    {
        var eventId = Guid.NewGuid();
        // Edited as text: some bad values (lone surrogates) cannot pass through a JSON serializer.
        var name = replacement[1..replacement.IndexOf('"', 1)];
        var raw = Body(eventId);
        var property = new System.Text.RegularExpressions.Regex($"\"{name}\":(\"[^\"]*\"|[^,}}]*)");
        var body = property.IsMatch(raw) ? property.Replace(raw, replacement.Replace("$", "$$", StringComparison.Ordinal), 1) : raw[..^1] + "," + replacement + "}";
        var before = await AllCheckInsAndPhotosAsync();
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([message], problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(before, await AllCheckInsAndPhotosAsync());
    }

    [Fact]
    public async Task Every_bad_field_is_named_at_once()
    {
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative),
            IngestionApp.Json("""{"eventId":"x","matchScore":3,"unknownField":true}"""));

        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["capturedAt", "deviceId", "eventId", "livenessScore", "matchScore"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_with_400()
    {
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json("{\"eventId\": NaN"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The body is not valid JSON", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_photo_over_one_mebibyte_is_refused_and_nothing_is_stored()
    {
        var eventId = Guid.NewGuid();
        var photo = new byte[(1024 * 1024) + 1];
        photo[0] = 0xFF;
        photo[1] = 0xD8;
        photo[2] = 0xFF;
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative),
            IngestionApp.Json(Body(eventId, extra: $",\"photoJpegBase64\":\"{Convert.ToBase64String(photo)}\"")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Is over 1 MiB: photos must be at most 1,048,576 bytes.", problem.GetProperty("errors").GetProperty("photoJpegBase64")[0].GetString());
        Assert.Equal(0, await StoredAsync(eventId));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_refused_with_413()
    {
        using var client = fixture.Partner();
        var huge = new string('a', 3 * 1024 * 1024);

        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative),
            IngestionApp.Json(Body(Guid.NewGuid(), extra: $",\"padding\":\"{huge}\"")));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("Body too large", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Missing_wrong_and_revoked_keys_get_401_and_nothing_is_stored()
    {
        var eventId = Guid.NewGuid();
        using var anonymous = fixture.App.CreateClient();
        using var wrong = fixture.Partner("dk_abcdefgh_thisisnotakeythatwasevercreated");
        var keys = fixture.App.Services.GetRequiredService<IngestKeys>();
        var (revokedClient, revokedKey) = await keys.CreateAsync("Former platform", CancellationToken.None);
        using var revoked = fixture.Partner(revokedKey);
        Assert.Equal(HttpStatusCode.Accepted, (await revoked.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(Body(Guid.NewGuid())))).StatusCode);
        await keys.RevokeAsync(revokedClient.Id, CancellationToken.None);

        foreach (var client in new[] { anonymous, wrong, revoked })
        {
            var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(Body(eventId)));

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }

        Assert.Equal(0, await StoredAsync(eventId));
    }

    [Fact]
    public async Task An_unknown_device_gets_404_and_nothing_is_stored()
    {
        var eventId = Guid.NewGuid();
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(Body(eventId, device: "demo-9999")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("No device 'demo-9999' is registered. Nothing was stored.", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await StoredAsync(eventId));
    }

    [Theory]
    [InlineData(0.80, 0.70, "Verified")]
    [InlineData(0.79, 0.95, "Borderline")]
    [InlineData(0.49, 0.95, "Failed")]
    [InlineData(0.95, 0.29, "Failed")]
    public async Task A_check_in_is_classified_by_the_policy_and_keeps_its_version_and_thresholds(double match, double liveness, string outcome)
    {
        var eventId = Guid.NewGuid();
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(Body(eventId, match: match, liveness: liveness)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<SubmitCheckIn.Response>();
        Assert.Equal(outcome, result!.Outcome);
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM check_ins WHERE id = $1 AND outcome = $2 AND policy_version = 1 AND accept_match = 0.8 AND reject_match = 0.5 AND accept_liveness = 0.7 AND reject_liveness = 0.3",
            result.CheckInId, outcome));
        Assert.Equal(outcome == "Borderline" ? 1 : 0, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM reviews WHERE check_in_id = $1", result.CheckInId));
        Assert.Equal(outcome == "Failed" ? 1 : 0, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM alerts WHERE check_in_id = $1 AND kind = 'IdentityNotVerified' AND state = 'Open'", result.CheckInId));
    }

    [Fact]
    public async Task A_repeated_event_id_returns_the_first_result_with_200_and_stores_nothing_new()
    {
        var eventId = Guid.NewGuid();
        using var client = fixture.Partner();
        var first = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(Body(eventId, match: 0.6)));
        var firstResult = await first.Content.ReadFromJsonAsync<SubmitCheckIn.Response>();

        // A resend, even with other scores, is the same event.
        var repeat = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(Body(eventId, match: 0.95)));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(firstResult, await repeat.Content.ReadFromJsonAsync<SubmitCheckIn.Response>());
        Assert.Equal(1, await StoredAsync(eventId));
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString, "SELECT count(*) FROM reviews WHERE check_in_id = $1", firstResult!.CheckInId));
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_event_store_one_row_and_all_answer_the_same_check_in()
    {
        var eventId = Guid.NewGuid();
        var photo = Convert.ToBase64String(Dashboard.Simulator.SyntheticFace.Render(5, 1));
        var body = Body(eventId, extra: $",\"photoJpegBase64\":\"{photo}\"");

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var client = fixture.Partner();
            var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative), IngestionApp.Json(body));
            return (response.StatusCode, Result: await response.Content.ReadFromJsonAsync<SubmitCheckIn.Response>());
        }));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.Equal(11, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Single(responses.Select(r => r.Result!.CheckInId).Distinct());
        Assert.Equal(1, await StoredAsync(eventId));
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM photos p JOIN check_ins c ON c.photo_id = p.id WHERE c.event_id = $1", eventId));
    }

    [Fact]
    public async Task A_check_in_answers_the_prompt_it_names()
    {
        var subject = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0006'"))!;
        var promptId = Guid.NewGuid();
        await Sql.ExecuteAsync(fixture.App.ConnectionString,
            "INSERT INTO prompts (id, subject_id, device_id, due_at, window_ends_at, status, origin) VALUES ($1, $2, 'demo-0006', now() - interval '2 minutes', now() + interval '13 minutes', 'Pending', 'Scheduled')",
            promptId, subject);
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative),
            IngestionApp.Json(Body(Guid.NewGuid(), device: "demo-0006", extra: $",\"promptId\":\"{promptId}\"")));
        var result = await response.Content.ReadFromJsonAsync<SubmitCheckIn.Response>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, await Sql.CountAsync(fixture.App.ConnectionString,
            "SELECT count(*) FROM prompts WHERE id = $1 AND status = 'Answered' AND check_in_id = $2", promptId, result!.CheckInId));
    }

    [Fact]
    public async Task A_prompt_of_another_device_is_refused_and_nothing_is_stored()
    {
        var other = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0007'"))!;
        var promptId = Guid.NewGuid();
        await Sql.ExecuteAsync(fixture.App.ConnectionString,
            "INSERT INTO prompts (id, subject_id, device_id, due_at, window_ends_at, status, origin) VALUES ($1, $2, 'demo-0007', now(), now() + interval '15 minutes', 'Pending', 'Scheduled')",
            promptId, other);
        var eventId = Guid.NewGuid();
        using var client = fixture.Partner();

        var response = await client.PostAsync(new Uri("/api/v1/checkins", UriKind.Relative),
            IngestionApp.Json(Body(eventId, device: "demo-0008", extra: $",\"promptId\":\"{promptId}\"")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("No such prompt for this device.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("promptId")[0].GetString());
        Assert.Equal(0, await StoredAsync(eventId));
    }
}
