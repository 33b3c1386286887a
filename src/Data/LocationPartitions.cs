using System.Collections.Concurrent;
using Npgsql;

namespace Dashboard.Data;

/// <summary>
/// Creates the daily partitions of <c>location_pings</c>: a week ahead on a timer, and on demand for
/// late fixes a device buffered for days. Creation is idempotent and serialized in the database.
/// </summary>
public sealed class LocationPartitions(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private readonly ConcurrentDictionary<DateOnly, bool> _known = new();

    public Task EnsureAroundTodayAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return EnsureRangeAsync(today.AddDays(-2), today.AddDays(7), ct);
    }

    /// <summary>Makes sure a partition exists for every UTC day of the given instants.</summary>
    public async Task EnsureForAsync(IEnumerable<DateTimeOffset> instants, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(instants);
        var missing = instants.Select(i => DateOnly.FromDateTime(i.UtcDateTime)).Distinct().Where(d => !_known.ContainsKey(d)).ToList();
        if (missing.Count > 0)
        {
            await EnsureRangeAsync(missing.Min(), missing.Max(), ct);
        }
    }

    /// <summary>Retention dropped this day's partition: a late fix for it must create it again.</summary>
    public void Forget(DateOnly day) => _known.TryRemove(day, out _);

    public async Task EnsureRangeAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT ensure_location_partitions($1, $2)");
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        await command.ExecuteNonQueryAsync(ct);
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            _known[d] = true;
        }
    }
}

/// <summary>Keeps a week of partitions ahead of the clock.</summary>
internal sealed class LocationPartitionMaintenance(LocationPartitions partitions, ILogger<LocationPartitionMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await partitions.EnsureAroundTodayAsync(stoppingToken);
            }
            catch (NpgsqlException ex)
            {
                logger.LogWarning(ex, "Could not create location partitions ahead; will retry within the hour");
            }
        }
    }
}
