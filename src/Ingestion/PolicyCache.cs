using Dashboard.Domain;
using Npgsql;

namespace Dashboard.Ingestion;

/// <summary>
/// The matching policy versions, re-read every 30 seconds. Ingestion judges each check-in by the
/// version in effect when it is received; the check-in stores that version and its thresholds.
/// </summary>
public sealed class PolicyCache(NpgsqlDataSource dataSource, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (DateTimeOffset From, MatchingPolicy Policy)[] _versions = [];
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    public async Task<MatchingPolicy> CurrentAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - _loadedAt > RefreshEvery || _versions.Length == 0)
        {
            await ReloadAsync(ct);
        }

        var current = _versions.LastOrDefault(v => v.From <= now);
        return current.Policy ?? throw new InvalidOperationException("No matching policy is in effect: the first version is seeded at start-up.");
    }

    public void Dispose() => _refresh.Dispose();

    /// <summary>Forget the cached versions (after a threshold change on this instance).</summary>
    public void Invalidate() => _loadedAt = DateTimeOffset.MinValue;

    private async Task ReloadAsync(CancellationToken ct)
    {
        await _refresh.WaitAsync(ct);
        try
        {
            if (clock.GetUtcNow() - _loadedAt <= RefreshEvery && _versions.Length > 0)
            {
                return;
            }

            await using var command = dataSource.CreateCommand(
                "SELECT version, accept_match, reject_match, accept_liveness, reject_liveness, effective_from FROM policy_versions ORDER BY effective_from, version");
            await using var reader = await command.ExecuteReaderAsync(ct);
            var versions = new List<(DateTimeOffset, MatchingPolicy)>();
            while (await reader.ReadAsync(ct))
            {
                versions.Add((reader.GetFieldValue<DateTimeOffset>(5),
                    new MatchingPolicy(reader.GetInt32(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4))));
            }

            _versions = [.. versions];
            _loadedAt = clock.GetUtcNow();
        }
        finally
        {
            _refresh.Release();
        }
    }
}
