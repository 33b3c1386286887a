using System.Text.Json;
using System.Text.Json.Serialization;
using Dashboard.Domain;

namespace Dashboard.Features.Oversight;

/// <summary>The stored form of a what-if replay summary (the <c>replay_summary</c> JSON of a proposal).</summary>
public static class ReplayJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Write(ReplaySummary summary) => JsonSerializer.Serialize(summary, Options);

    public static ReplaySummary? Read(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ReplaySummary>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
