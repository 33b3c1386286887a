using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Collections.Concurrent;
using Dashboard.Testing;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace Dashboard.FaultTests.Ingestion;

/// <summary>
/// Random and malformed input at every ingestion endpoint: never a 500, always a problem-details 4xx for
/// what is refused, and nothing stored from a refused request or a refused item of a batch.
/// </summary>
public sealed class BadInputTests(IngestionApp app, ITestOutputHelper output) : IClassFixture<IngestionApp>
{
    private readonly ConcurrentDictionary<int, int> _statuses = new();

    [Fact]
    public void Malformed_check_ins_get_a_problem_details_4xx_never_a_500_and_store_nothing() =>
        Run(BadInput.CheckIns(), 200);

    [Fact]
    public void Malformed_location_batches_get_a_problem_details_4xx_never_a_500_and_refused_fixes_store_nothing() =>
        Run(BadInput.LocationBatches(), 150);

    [Fact]
    public void Malformed_device_events_get_a_problem_details_4xx_never_a_500_and_store_nothing() =>
        Run(BadInput.DeviceEvents(), 150);

    private void Run(Arbitrary<BadRequest> requests, int count)
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(count), Prop.ForAll(requests, Verify));
        output.WriteLine("Answers: " + string.Join(", ", _statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));
        // The generators reach both sides of the validation: some damage is harmless, most is refused.
        Assert.Contains(_statuses.Keys, s => s is >= 200 and < 300);
        Assert.Contains(_statuses.Keys, s => s == 400);
    }

    [Theory]
    [InlineData("/api/v1/checkins", 1_500_000, true)]
    [InlineData("/api/v1/checkins", 1_500_000, false)]
    [InlineData("/api/v1/locations", 4 * 1024 * 1024, true)]
    [InlineData("/api/v1/locations", 4 * 1024 * 1024, false)]
    [InlineData("/api/v1/device-events", 16 * 1024, true)]
    [InlineData("/api/v1/device-events", 16 * 1024, false)]
    public async Task An_oversize_body_gets_413_problem_details_and_stores_nothing(string path, int limit, bool withLength)
    {
        var eventId = Guid.NewGuid();
        var head = $$"""{"eventId":"{{eventId}}","deviceId":"demo-0001","capturedAt":"{{IngestionApp.Now()}}","at":"{{IngestionApp.Now()}}","matchScore":0.9,"livenessScore":0.9,"kind":"lowBattery","padding":" """;
        var json = head + new string('x', limit) + "\"}";
        if (path.EndsWith("locations", StringComparison.Ordinal))
        {
            json = "[" + json + "]";
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        using HttpContent content = withLength ? new ByteArrayContent(bytes) : new StreamContent(new UnknownLengthStream(bytes));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var partner = app.Partner();

        var response = await partner.PostAsync(new Uri(path, UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await StoredAsync([eventId]));
    }

    private void Verify(BadRequest request) => VerifyAsync(request).GetAwaiter().GetResult();

    private async Task VerifyAsync(BadRequest request)
    {
        using var partner = app.Partner();
        using var content = new ByteArrayContent(request.Body);
        if (request.ContentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
        }

        var response = await partner.PostAsync(new Uri(request.Path, UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);

        Assert.True(status < 500, $"{status} for {request}\n{body}");
        if (status >= 400)
        {
            Assert.True(status is 400 or 404 or 413 or 415, $"{status} for {request}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("title").GetString()));
            Assert.True(0 == await StoredAsync(request.EventIds, request.Table), $"Stored from a refused request: {request}");
            return;
        }

        if (request.Table == "location_pings")
        {
            // Taken as a batch: the fixes it refused left nothing behind.
            using var answer = JsonDocument.Parse(body);
            var refused = answer.RootElement.GetProperty("rejected").EnumerateArray()
                .Select(r => r.GetProperty("index").GetInt32())
                .Where(i => i < request.EventIds.Length)
                .Select(i => request.EventIds[i])
                .ToArray();
            Assert.True(0 == await StoredAsync(refused, request.Table), $"Stored a refused fix: {request}\n{body}");
        }
    }

    private Task<long> StoredAsync(Guid[] eventIds, string? table = null)
    {
        // Table names come from the generators, never from input.
        var sql = table is null
            ? "SELECT (SELECT count(*) FROM check_ins WHERE event_id = ANY($1)) + (SELECT count(*) FROM location_pings WHERE event_id = ANY($1)) + (SELECT count(*) FROM device_events WHERE event_id = ANY($1))"
            : $"SELECT count(*) FROM {table} WHERE event_id = ANY($1)";
        return Sql.CountAsync(app.App.ConnectionString, sql, eventIds);
    }

    /// <summary>A body sent without a Content-Length (chunked), so only the server's own counting can refuse it.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
