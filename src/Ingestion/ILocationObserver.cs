namespace Dashboard.Ingestion;

/// <summary>
/// Told about each stored batch of fixes after its transaction committed: the zone rules and the device
/// rules (battery, GPS quality, an offline incident that clears) watch the fixes this way. Observers must
/// be idempotent (a retried batch arrives again, its fixes marked <see cref="LocationFix.Repeat"/>) and must not
/// throw for one bad subject.
/// </summary>
public interface ILocationObserver
{
    Task FixesStoredAsync(IReadOnlyList<LocationFix> fixes, CancellationToken ct);
}
