using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Dashboard.Live;

/// <summary>
/// Publishes to every group that may see a subject: its watchers, its officer, its team and the
/// auditors. With several instances the Redis backplane carries each message to every instance.
/// </summary>
public sealed class HubLiveNotifier(IHubContext<LiveHub> hub, NpgsqlDataSource dataSource, IMemoryCache cache, ILogger<HubLiveNotifier> logger) : ILiveNotifier
{
    private sealed record Route(Guid OfficerId, Guid? TeamId);

    public Task CheckInReceivedAsync(CheckInReceived message, CancellationToken ct) =>
        SendAsync(message.SubjectId, nameof(CheckInReceived), message, ct);

    public Task ReviewChangedAsync(ReviewChanged message, CancellationToken ct) =>
        SendAsync(message.SubjectId, nameof(ReviewChanged), message, ct);

    public Task AlertRaisedAsync(AlertRaised message, CancellationToken ct) =>
        SendAsync(message.SubjectId, nameof(AlertRaised), message, ct);

    public Task AlertChangedAsync(AlertChanged message, CancellationToken ct) =>
        SendAsync(message.SubjectId, nameof(AlertChanged), message, ct);

    public Task BreachChangedAsync(BreachChanged message, CancellationToken ct) =>
        SendAsync(message.SubjectId, nameof(BreachChanged), message, ct);

    public Task ZonesChangedAsync(ZonesChanged message, CancellationToken ct) =>
        SendAsync(message.SubjectId, nameof(ZonesChanged), message, ct);

    public async Task DeviceStatusChangedAsync(IReadOnlyList<DeviceStatusChanged> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            await SendAsync(message.SubjectId, nameof(DeviceStatusChanged), message, ct);
        }
    }

    private async Task SendAsync(Guid subjectId, string method, object message, CancellationToken ct)
    {
        try
        {
            var route = await RouteAsync(subjectId, ct);
            List<string> groups = [LiveHub.SubjectGroup(subjectId), LiveHub.AllGroup];
            if (route is not null)
            {
                groups.Add(LiveHub.OfficerGroup(route.OfficerId));
                if (route.TeamId is { } team)
                {
                    groups.Add(LiveHub.TeamGroup(team));
                }
            }

            await hub.Clients.Groups(groups).SendAsync(method, message, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The data is committed; a page that misses this message catches up when it reconnects.
            logger.LogWarning(ex, "Could not publish {Method} for subject {SubjectId}", method, subjectId);
        }
    }

    private async Task<Route?> RouteAsync(Guid subjectId, CancellationToken ct)
    {
        var key = "live-route:" + subjectId;
        if (cache.TryGetValue(key, out Route? route))
        {
            return route;
        }

        await using var command = dataSource.CreateCommand("SELECT s.officer_id, o.team_id FROM subjects s JOIN staff o ON o.id = s.officer_id WHERE s.id = $1");
        command.Parameters.AddWithValue(subjectId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        route = await reader.ReadAsync(ct) ? new Route(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1)) : null;
        // Short: a subject moved to another officer reaches the new caseload within a minute.
        cache.Set(key, route, TimeSpan.FromMinutes(1));
        return route;
    }
}
