using System.Globalization;
using Dashboard.Components.Common;
using Dashboard.Features.Trails;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Components.Maps;

/// <summary>
/// The subject map: the trail of a chosen range (default the last 24 hours) coloured by time, with a time
/// slider and playback, check-ins, alerts and zones, display toggles, a point card, a freshness banner,
/// live follow, CSV exports, and the same points as a table.
/// </summary>
public sealed partial class SubjectMap : IAsyncDisposable
{
    internal static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-GB");

    private static readonly Dictionary<string, string> Presets = new()
    {
        ["1h"] = "Last hour",
        ["6h"] = "6 hours",
        ["24h"] = "24 hours",
        ["7d"] = "7 days",
    };

    private TrailMap? _map;
    private Dashboard.Features.Zones.ZoneEditor? _editor;
    private GetTrail.Trail? _trail;
    private List<GetTrail.TrailPoint> _points = [];
    private GetTrail.TrailPoint? _selected;
    private int _selectedIndex = -1;
    private int _sliderIndex;
    private string _preset = "24h";
    private DateTime? _customFrom;
    private DateTime? _customTo;
    private DateTimeOffset _from;
    private DateTimeOffset _to;
    private bool _accuracy;
    private bool _arrows;
    private bool _numbers;
    private bool _followLive = true;
    private bool _playing;
    private string? _message;
    private CurrentUser? _user;
    private PeriodicTimer? _playback;
    private IDisposable? _liveSubscription;
    private IDisposable? _zonesSubscription;

    [Inject]
    private GetTrail GetTrail { get; set; } = default!;

    [Inject]
    private LiveClient Live { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    /// <summary>The subject whose trail is shown (the page has checked the scope; the query checks again).</summary>
    [Parameter, EditorRequired]
    public Guid SubjectId { get; set; }

    /// <summary>The subject's name, for the map's label.</summary>
    [Parameter]
    public string SubjectName { get; set; } = "the subject";

    private string MapLabel => $"Map of {SubjectName}'s location trail; the same points are in the table below the map.";

    private string SliderText => _points.Count == 0 ? "No points" : LondonTime.Format(_points[Math.Clamp(_sliderIndex, 0, _points.Count - 1)].At, "dd MMM HH:mm:ss");

    protected override async Task OnInitializedAsync()
    {
        _user = CurrentUser.From((await AuthState).User);
        SetPreset(_preset);
        if (RendererInfo.IsInteractive)
        {
            _liveSubscription = Live.OnDeviceStatusChanged(m => InvokeAsync(() => OnFixAsync(m)));
            _zonesSubscription = Live.OnZonesChanged(m => InvokeAsync(() => OnZonesChangedAsync(m)));
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            await Live.WatchSubjectAsync(SubjectId, CancellationToken.None);
        }
    }

    private async Task MapReadyAsync()
    {
        await LoadAsync();
    }

    /// <summary>Clicks on the map while a zone is drawn go to the zone editor.</summary>
    private Task MapClickedAsync(Dashboard.Domain.LatLon position) => _editor?.MapClickedAsync(position) ?? Task.CompletedTask;

    private void SetPreset(string preset)
    {
        _preset = preset;
        _to = Clock.GetUtcNow();
        _from = preset switch
        {
            "1h" => _to.AddHours(-1),
            "6h" => _to.AddHours(-6),
            "7d" => _to.AddDays(-7),
            _ => _to.AddHours(-24),
        };
        _customFrom = LondonTime.ToLondon(_from).DateTime;
        _customTo = LondonTime.ToLondon(_to).DateTime;
    }

    private async Task ChoosePresetAsync(string preset)
    {
        SetPreset(preset);
        await LoadAsync();
    }

    private async Task ApplyCustomAsync()
    {
        if (_customFrom is not { } from || _customTo is not { } to || to <= from)
        {
            _message = "Choose a start before the end.";
            return;
        }

        _preset = "custom";
        _from = FromLondon(from);
        _to = FromLondon(to);
        await LoadAsync();
    }

    private static DateTimeOffset FromLondon(DateTime local)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified)).ToUniversalTime();
    }

    private async Task LoadAsync()
    {
        if (_user is null)
        {
            return;
        }

        StopPlayback();
        _message = null;
        if (_to - _from > TimeSpan.FromDays(31))
        {
            _message = "A trail covers at most 31 days: choose a shorter range.";
            return;
        }

        _trail = await GetTrail.HandleAsync(new GetTrail.Query(SubjectId, _from, _to), _user, CancellationToken.None);
        _points = _trail?.Segments.SelectMany(s => s).ToList() ?? [];
        _selected = null;
        _selectedIndex = -1;
        _sliderIndex = Math.Max(0, _points.Count - 1);
        if (_trail is null)
        {
            _message = "This subject's trail cannot be shown.";
        }

        StateHasChanged();
        if (_map is { IsReady: true } map && _trail is { } t)
        {
            await map.SetTrailAsync(t.Segments, t.From, t.To);
            await map.SetZonesAsync(t.Zones.Select(z => new MapZone(z.Ring, z.Kind, TrailLegend.Describe(z))).ToList());
            await map.SetEventsAsync(Events(t));
            await map.SetDisplayAsync(Display());
            await map.HighlightAsync(null, "");
            await map.FitBoundsAsync();
        }
    }

    internal static MapTrailPoint ToMap(GetTrail.TrailPoint p) => new(p.Lat, p.Lon, p.At, p.AccuracyM, p.Number);

    private static List<MapEvent> Events(GetTrail.Trail t)
    {
        var events = t.CheckIns.Select(c => new MapEvent(c.Lat, c.Lon, TrailTables.OutcomeSymbol(c.Outcome), TrailTables.OutcomeColour(c.Outcome),
                $"Check-in {c.Outcome} at {LondonTime.Format(c.At, "dd MMM HH:mm")}{(c.PlacedOnTrail ? " (no position sent: shown where the trail was)" : "")}", "checkin"))
            .ToList();
        events.AddRange(t.Alerts.Select(a => new MapEvent(a.Lat, a.Lon, "!", "#8a3b00", $"Alert {a.Kind} ({a.State}) at {LondonTime.Format(a.At, "dd MMM HH:mm")}: {a.Summary}", "alert")));
        return events;
    }

    private MapDisplay Display() =>
        new(_accuracy, _arrows, _numbers, _points.Count == 0 || _sliderIndex >= _points.Count - 1 ? null : _points[_sliderIndex].At);

    private async Task ToggleAsync(Action change)
    {
        change();
        if (_map is not null)
        {
            await _map.SetDisplayAsync(Display());
        }
    }

    private async Task SlideAsync(ChangeEventArgs e)
    {
        if (int.TryParse(e.Value?.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var index))
        {
            _sliderIndex = Math.Clamp(index, 0, Math.Max(0, _points.Count - 1));
            if (_map is not null)
            {
                await _map.SetDisplayAsync(Display());
            }
        }
    }

    private async Task TogglePlaybackAsync()
    {
        if (_playing)
        {
            StopPlayback();
            return;
        }

        _playing = true;
        if (_sliderIndex >= _points.Count - 1)
        {
            _sliderIndex = 0;
        }

        // About 20 seconds from start to end, whatever the number of points.
        var step = Math.Max(1, _points.Count / 100);
        _playback = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var timer = _playback;
        _ = Task.Run(async () =>
        {
            try
            {
                while (await timer.WaitForNextTickAsync())
                {
                    await InvokeAsync(async () =>
                    {
                        if (!_playing)
                        {
                            return;
                        }

                        _sliderIndex = Math.Min(_points.Count - 1, _sliderIndex + step);
                        if (_sliderIndex >= _points.Count - 1)
                        {
                            StopPlayback();
                        }

                        if (_map is not null)
                        {
                            await _map.SetDisplayAsync(Display());
                        }

                        StateHasChanged();
                    });
                }
            }
            catch (ObjectDisposedException)
            {
                // The component went away during playback.
            }
        });
    }

    private void StopPlayback()
    {
        _playing = false;
        _playback?.Dispose();
        _playback = null;
    }

    private async Task SelectNumberAsync(int number)
    {
        var index = _points.FindIndex(p => p.Number == number);
        if (index >= 0)
        {
            await SelectAsync(index);
        }
    }

    private async Task StepAsync(int delta)
    {
        var index = delta switch
        {
            int.MinValue => 0,
            int.MaxValue => _points.Count - 1,
            _ => _selectedIndex + delta,
        };
        await SelectAsync(Math.Clamp(index, 0, _points.Count - 1));
    }

    private async Task SelectAsync(int index)
    {
        _selectedIndex = index;
        _selected = _points[index];
        StateHasChanged();
        if (_map is not null)
        {
            await _map.HighlightAsync(ToMap(_selected), $"Point {_selected.Number}, {LondonTime.Format(_selected.At, "HH:mm:ss")}");
        }
    }

    private async Task OnFixAsync(DeviceStatusChanged message)
    {
        if (message.SubjectId != SubjectId || message.Lat is not { } lat || message.Lon is not { } lon || message.LastFixAt is not { } at)
        {
            return;
        }

        // Only a range that ends now grows with live fixes.
        if (_preset == "custom" || _map is null)
        {
            return;
        }

        await _map.FollowAsync(lat, lon, $"Latest fix {LondonTime.Format(at, "HH:mm:ss")}", _followLive);
        if (_trail is { } t && (t.NewestFixAt is null || at > t.NewestFixAt))
        {
            _trail = t with { NewestFixAt = at, ServedAt = Clock.GetUtcNow() };
            StateHasChanged();
        }
    }

    /// <summary>
    /// Someone drew, changed or deactivated one of this subject's zones: redraw the zones (and the legend) of
    /// the range shown, keeping the chosen point, the slider and the view.
    /// </summary>
    private Task OnZonesChangedAsync(ZonesChanged message) => message.SubjectId == SubjectId ? RefreshZonesAsync() : Task.CompletedTask;

    private async Task RefreshZonesAsync()
    {
        if (_user is null || _trail is not { } shown)
        {
            return;
        }

        try
        {
            if (await GetTrail.HandleAsync(new GetTrail.Query(SubjectId, shown.From, shown.To), _user, CancellationToken.None) is not { } fresh)
            {
                return;
            }

            _trail = shown with { Zones = fresh.Zones };
            StateHasChanged();
            if (_map is { IsReady: true } map)
            {
                await map.SetZonesAsync(fresh.Zones.Select(z => new MapZone(z.Ring, z.Kind, TrailLegend.Describe(z))).ToList());
            }
        }
        catch (Exception ex)
        {
            await DispatchExceptionAsync(ex);
        }
    }

    private string CsvUrl(bool condensed) =>
        $"/api/subjects/{SubjectId}/trail.csv?from={Uri.EscapeDataString(_from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(_to.ToString("O", CultureInfo.InvariantCulture))}{(condensed ? "&condensed=true" : "")}";

    private static string Summary(GetTrail.Trail t)
    {
        var range = $"{LondonTime.Format(t.From, "dd MMM HH:mm")} to {LondonTime.Format(t.To, "dd MMM HH:mm")}";
        if (t.TotalPoints == 0)
        {
            return $"No location fixes from {range}.";
        }

        var gaps = t.Segments.Count - 1;
        var thinned = t.Vertices < t.TotalPoints
            ? $" {t.Vertices.ToString("N0", Culture)} of them are drawn (points closer than {t.ToleranceM.ToString("0", Culture)} m to the line are left out; check-ins, alerts and zone crossings are always kept)."
            : "";
        return $"{t.TotalPoints.ToString("N0", Culture)} fixes from {range}.{thinned} {(gaps == 0 ? "No gaps in reporting." : $"{gaps} gap{(gaps == 1 ? "" : "s")} of more than 5 minutes without fixes, shown as breaks in the line.")}";
    }

    internal static string Age(TimeSpan age) => age.TotalMinutes < 1 ? $"{Math.Max(0, (int)age.TotalSeconds)} s"
        : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min"
        : age.TotalDays < 1 ? $"{(int)age.TotalHours} h {age.Minutes} min"
        : $"{(int)age.TotalDays} days";

    internal static string Speed(double? mps) => mps is { } s ? $"{(s * 3.6).ToString("0.0", Culture)} km/h" : "— (first point after a gap)";

    public ValueTask DisposeAsync()
    {
        StopPlayback();
        _liveSubscription?.Dispose();
        _zonesSubscription?.Dispose();
        return ValueTask.CompletedTask;
    }
}
