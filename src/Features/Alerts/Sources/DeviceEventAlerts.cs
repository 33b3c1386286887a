using Dashboard.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dashboard.Features.Alerts.Sources;

/// <summary>A stored device event, as the rules see it.</summary>
public sealed record StoredDeviceEvent(Guid Id, string DeviceId, Guid SubjectId, DateTimeOffset At, DeviceEventKind Kind, string? Detail);

/// <summary>What a device event changed: alerts raised or joined, and alerts that closed themselves.</summary>
public sealed record DeviceEventEffects(IReadOnlyList<RaisedAlert> Raised, IReadOnlyList<ClosedAlert> Closed);

/// <summary>
/// Alerts from device events, written inside the transaction that stores the event (so a crash between the
/// two loses nothing, and a repeated event id, stored nothing, raises nothing): strap tamper and low battery
/// raise or join the one active alert of their kind; no GPS fix and signal lost join or open the device
/// incident; charging ends a low-battery episode.
/// </summary>
public sealed class DeviceEventAlerts(AlertRaiser raiser, DeviceIncidents incidents, IOptions<AlertOptions> options, TimeProvider clock)
{
    public async Task<DeviceEventEffects> ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, StoredDeviceEvent e, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(e);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.CurfewTimeZone);
        var when = DeviceIncidents.LocalTime(e.At, zone);
        var detail = string.IsNullOrWhiteSpace(e.Detail) ? "" : $" ({e.Detail.Trim()})";
        switch (e.Kind)
        {
            case DeviceEventKind.StrapTamper:
                return Raised(await raiser.RaiseOrJoinAsync(connection, transaction, new AlertCandidate(
                    e.SubjectId, AlertKind.DeviceTamper, "device-event:" + e.Id, e.At,
                    $"Strap tamper reported by device {e.DeviceId} at {when}{detail}.", DeviceEventId: e.Id), ct));
            case DeviceEventKind.LowBattery:
                return Raised(await raiser.RaiseOrJoinAsync(connection, transaction, new AlertCandidate(
                    e.SubjectId, AlertKind.LowBattery, "device-event:" + e.Id, e.At,
                    $"Device {e.DeviceId} reported a low battery at {when}{detail}.", DeviceEventId: e.Id), ct));
            case DeviceEventKind.NoGpsFix or DeviceEventKind.SignalLost:
                var incident = await DeviceIncidents.OpenOrJoinAsync(connection, transaction, e.SubjectId, e.DeviceId, e.At, ct);
                var what = e.Kind == DeviceEventKind.SignalLost ? "lost its signal" : "reported no GPS fix";
                return Raised(await raiser.RaiseAsync(connection, transaction, new AlertCandidate(
                    e.SubjectId, AlertKind.NoGpsFix, "incident:" + incident, e.At,
                    $"Device {e.DeviceId} {what} at {when}{detail}.", DeviceEventId: e.Id, IncidentId: incident), ct));
            case DeviceEventKind.Charging:
                var closed = await DeviceIncidents.EndLowBatteryAsync(connection, transaction,
                    [(e.SubjectId, $"Cleared: device {e.DeviceId} started charging at {when}.")], clock.GetUtcNow(), ct);
                return new DeviceEventEffects([], closed);
            default:
                return new DeviceEventEffects([], []);
        }
    }

    /// <summary>Tells the pages; call after the commit.</summary>
    public async Task PublishAsync(DeviceEventEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        await raiser.PublishAsync(effects.Raised);
        await incidents.PublishClosedAsync(effects.Closed);
    }

    private static DeviceEventEffects Raised(RaisedAlert alert) => new([alert], []);
}
