using System.Globalization;
using System.Text.Json;
using Dashboard.Data;
using Dashboard.Live;
using Microsoft.Extensions.Options;

namespace Dashboard.Ingestion;

/// <summary>
/// <c>POST /api/v1/locations</c>: a batch of up to 10,000 fixes. Each fix is judged on its own: good ones
/// are stored (once: a repeat of <c>(deviceId, at)</c> or <c>eventId</c> counts as a duplicate), bad ones
/// are listed by index with the reason.
/// </summary>
public sealed class SubmitLocations(
    DeviceDirectory devices,
    LocationWriter writer,
    ILiveNotifier live,
    IEnumerable<ILocationObserver> observers,
    IOptions<IngestionOptions> options,
    TimeProvider clock,
    ILogger<SubmitLocations> logger)
{
    private readonly ILocationObserver[] _observers = [.. observers];

    public sealed record Rejected(int Index, string Error);

    public sealed record Response(int Accepted, int Duplicates, IReadOnlyList<Rejected> Rejected);

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var ct = http.RequestAborted;
        var (document, error) = await IngestionRequests.ReadJsonAsync(http, options.Value.MaxLocationsBodyBytes);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return IngestionRequests.Invalid("body", "Must be a JSON array of fixes.");
            }

            var count = root.GetArrayLength();
            if (count > IngestionOptions.MaxFixesPerBatch)
            {
                return IngestionRequests.Invalid("body", string.Create(CultureInfo.InvariantCulture,
                    $"Holds {count:N0} fixes; a batch holds at most {IngestionOptions.MaxFixesPerBatch:N0}."));
            }

            var (fixes, rejected) = Parse(root);
            var known = await devices.FindManyAsync(fixes.Select(f => f.DeviceId).Distinct(StringComparer.Ordinal).ToList(), ct);
            var accepted = new List<LocationFix>(fixes.Count);
            foreach (var fix in fixes)
            {
                if (known.TryGetValue(fix.DeviceId, out var device))
                {
                    accepted.Add(fix with { SubjectId = device.SubjectId });
                }
                else
                {
                    rejected.Add(new Rejected(fix.Index, "deviceId: Unknown device."));
                }
            }

            var written = await writer.WriteAsync(accepted, ct);
            if (written.Latest.Count > 0)
            {
                await live.DeviceStatusChangedAsync(written.Latest, CancellationToken.None);
            }

            if (written.Stored.Count > 0)
            {
                await NotifyObserversAsync(written.Stored);
            }

            rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
            return Results.Json(new Response(written.Inserted, accepted.Count - written.Inserted, rejected), statusCode: StatusCodes.Status202Accepted);
        }
    }

    private async Task NotifyObserversAsync(IReadOnlyList<LocationFix> fixes)
    {
        // The fixes are stored: the rules that watch them run to completion even if the caller has gone.
        foreach (var observer in _observers)
        {
            try
            {
                await observer.FixesStoredAsync(fixes, CancellationToken.None);
            }
#pragma warning disable CA1031 // One failing rule must not turn a stored batch into an error for the device platform.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "{Observer} failed on a batch of {Count} fixes", observer.GetType().Name, fixes.Count);
            }
        }
    }

    private (List<LocationFix> Fixes, List<Rejected> Rejected) Parse(JsonElement root)
    {
        var now = clock.GetUtcNow();
        var maxAge = TimeSpan.FromDays(options.Value.MaxAgeDays);
        var fixes = new List<LocationFix>(root.GetArrayLength());
        var rejected = new List<Rejected>();
        var index = 0;
        foreach (var item in root.EnumerateArray())
        {
            var errors = new Dictionary<string, List<string>>();
            if (item.ValueKind != JsonValueKind.Object)
            {
                rejected.Add(new Rejected(index++, "Must be a JSON object."));
                continue;
            }

            var f = new JsonFields(item, "", errors, now);
            var eventId = f.Uuid("eventId", required: false);
            var deviceId = f.Text("deviceId", required: true, maxLength: 64);
            var at = f.Timestamp("at", required: true, maxAge);
            var lat = f.Number("lat", required: true, -90, 90);
            var lon = f.Number("lon", required: true, -180, 180);
            var accuracy = f.Number("accuracyM", required: true, 0, 100_000);
            var battery = f.WholeNumber("batteryPct", required: false, 0, 100);
            if (f.HasErrors)
            {
                rejected.Add(new Rejected(index, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))));
            }
            else
            {
                fixes.Add(new LocationFix(index, deviceId!, Guid.Empty, at!.Value, lat!.Value, lon!.Value, accuracy!.Value, (short?)battery, eventId));
            }

            index++;
        }

        return (fixes, rejected);
    }
}
