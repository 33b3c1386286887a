using Npgsql;

namespace Dashboard.Features.Prompts;

/// <summary>
/// <c>GET /api/v1/prompts?from=&amp;to=</c>: the prompts the device platform must deliver to its watches in a
/// time range (at most 2 days), so that check-ins can name the prompt they answer.
/// </summary>
public sealed class GetDevicePrompts(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public sealed record Prompt(Guid PromptId, string DeviceId, DateTimeOffset DueAt, DateTimeOffset WindowEndsAt, string Origin);

    public async Task<IResult> HandleAsync(string? from, string? to, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var start = Parse(from, "from", now.AddMinutes(-15), errors);
        var end = Parse(to, "to", now.AddHours(24), errors);
        if (errors.Count == 0 && (end <= start || end - start > TimeSpan.FromDays(2)))
        {
            errors["to"] = ["Must be after 'from' and at most 2 days later."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, title: "The request has invalid fields");
        }

        await using var command = dataSource.CreateCommand("""
            SELECT id, device_id, due_at, window_ends_at, origin FROM prompts
            WHERE due_at >= $1 AND due_at < $2 AND status = 'Pending'
            ORDER BY due_at, device_id
            """);
        command.Parameters.AddWithValue(start);
        command.Parameters.AddWithValue(end);
        var prompts = new List<Prompt>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            prompts.Add(new Prompt(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4)));
        }

        return Results.Ok(prompts);
    }

    private static DateTimeOffset Parse(string? value, string name, DateTimeOffset fallback, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (Ingestion.JsonFields.TryParseRfc3339(value, out var parsed))
        {
            return parsed.ToUniversalTime();
        }

        errors[name] = ["Must be an RFC 3339 timestamp with an offset, such as 2026-11-27T14:05:00Z."];
        return fallback;
    }
}
