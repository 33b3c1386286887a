using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dashboard.Testing;

namespace Dashboard.IntegrationTests.Ingestion;

public class ContractDocumentTests(IngestionApp fixture) : IClassFixture<IngestionApp>
{
    [Fact]
    public async Task The_checked_in_OpenAPI_document_is_the_one_the_app_serves()
    {
        using var client = fixture.App.CreateClient();

        var served = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "openapi", "v1.json")));

        Assert.True(JsonNode.DeepEquals(served, checkedIn),
            "docs/openapi/v1.json is out of date: start the app in Development and save /openapi/v1.json over it.");
        Assert.Equal(["/api/v1/checkins", "/api/v1/device-events", "/api/v1/locations", "/api/v1/prompts"],
            served!["paths"]!.AsObject().Select(p => p.Key).Order());
    }

    [Fact]
    public async Task The_prompts_endpoint_lists_pending_prompts_for_partners_and_refuses_a_bad_range()
    {
        var subject = (Guid)(await Sql.ScalarAsync(fixture.App.ConnectionString, "SELECT subject_id FROM devices WHERE id = 'demo-0030'"))!;
        var promptId = Guid.NewGuid();
        await Sql.ExecuteAsync(fixture.App.ConnectionString,
            "INSERT INTO prompts (id, subject_id, device_id, due_at, window_ends_at, status, origin) VALUES ($1, $2, 'demo-0030', now() + interval '1 hour', now() + interval '75 minutes', 'Pending', 'Scheduled')",
            promptId, subject);
        using var partner = fixture.Partner();
        using var anonymous = fixture.App.CreateClient();

        var prompts = await partner.GetFromJsonAsync<JsonElement>("/api/v1/prompts");
        var badRange = await partner.GetAsync(new Uri("/api/v1/prompts?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", UriKind.Relative));

        Assert.Contains(prompts.EnumerateArray(), p => p.GetProperty("promptId").GetGuid() == promptId && p.GetProperty("deviceId").GetString() == "demo-0030");
        Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/v1/prompts", UriKind.Relative))).StatusCode);
    }
}
