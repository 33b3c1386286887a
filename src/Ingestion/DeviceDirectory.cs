using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Dashboard.Ingestion;

/// <summary>A registered device and the subject wearing it.</summary>
public sealed record KnownDevice(string Id, Guid SubjectId, string Model);

/// <summary>
/// Finds the subject of a device for every ingested item. Known devices are cached for a minute;
/// unknown ones are not, so a newly registered device is accepted at once.
/// </summary>
public sealed class DeviceDirectory(NpgsqlDataSource dataSource, IMemoryCache cache)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    public async Task<KnownDevice?> FindAsync(string deviceId, CancellationToken ct)
    {
        if (cache.TryGetValue("device:" + deviceId, out KnownDevice? known))
        {
            return known;
        }

        await using var command = dataSource.CreateCommand("SELECT subject_id, model FROM devices WHERE id = $1");
        command.Parameters.AddWithValue(deviceId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        known = new KnownDevice(deviceId, reader.GetGuid(0), reader.GetString(1));
        cache.Set("device:" + deviceId, known, CacheFor);
        return known;
    }

    /// <summary>Several devices at once, for location batches.</summary>
    public async Task<Dictionary<string, KnownDevice>> FindManyAsync(IReadOnlyCollection<string> deviceIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        var found = new Dictionary<string, KnownDevice>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var id in deviceIds)
        {
            if (cache.TryGetValue("device:" + id, out KnownDevice? known) && known is not null)
            {
                found[id] = known;
            }
            else
            {
                missing.Add(id);
            }
        }

        if (missing.Count == 0)
        {
            return found;
        }

        await using var command = dataSource.CreateCommand("SELECT id, subject_id, model FROM devices WHERE id = ANY($1)");
        command.Parameters.AddWithValue(missing.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var known = new KnownDevice(reader.GetString(0), reader.GetGuid(1), reader.GetString(2));
            cache.Set("device:" + known.Id, known, CacheFor);
            found[known.Id] = known;
        }

        return found;
    }
}
