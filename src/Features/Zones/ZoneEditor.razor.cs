using System.Globalization;
using Dashboard.Components.Maps;
using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Features.Zones;

/// <summary>
/// The zone editor under the subject map (supervisors only; the use cases check again). A draft is shown on
/// the map as it is typed or clicked; saving stores it, and the page redraws the zones.
/// </summary>
public sealed partial class ZoneEditor
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private IReadOnlyList<ListZones.ZoneItem> _zones = [];
    private bool _open;
    private Guid? _editing;
    private string _editingName = "";
    private uint _version;
    private Guid? _confirming;
    private string? _name;
    private ZoneKind _kind = ZoneKind.Exclusion;
    private ZoneShapeKind _shape = ZoneShapeKind.Circle;
    private double? _lat;
    private double? _lon;
    private double? _radius;
    private string? _cornersText;
    private string? _curfewStart;
    private string? _curfewEnd;
    private MapDrawing? _drawing;
    private IReadOnlyList<ZoneProblem> _problems = [];
    private string? _error;
    private string? _status;
    private bool _saving;

    [Inject]
    private ListZones ListZones { get; set; } = default!;

    [Inject]
    private CreateZone CreateZone { get; set; } = default!;

    [Inject]
    private EditZone EditZone { get; set; } = default!;

    [Inject]
    private DeactivateZone DeactivateZone { get; set; } = default!;

    /// <summary>The subject whose zones are edited.</summary>
    [Parameter, EditorRequired]
    public Guid SubjectId { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    /// <summary>The signed-in user (the page shows the editor to supervisors; the use cases check again).</summary>
    private CurrentUser User { get; set; } = default!;

    /// <summary>The map that shows the draft and takes the clicks (the page forwards them to <see cref="MapClickedAsync"/>).</summary>
    [Parameter]
    public TrailMap? Map { get; set; }

    /// <summary>Raised after a zone was saved or deactivated, so the page redraws the zones.</summary>
    [Parameter]
    public EventCallback OnChanged { get; set; }

    protected override async Task OnInitializedAsync() =>
        User = CurrentUser.From((await AuthState).User) ?? throw new InvalidOperationException("The zone editor needs a signed-in member of staff.");

    private int CornerCount => ParseCorners(_cornersText).Corners.Count;

    private bool Has(ZoneField field) => _problems.Any(p => p.Field == field);

    private string? Problem(ZoneField field) => _problems.FirstOrDefault(p => p.Field == field)?.Message;

    private async Task OpenAsync()
    {
        _open = true;
        await LoadAsync();
        await NewAsync();
    }

    private async Task CloseAsync()
    {
        _open = false;
        await StopDrawingAsync();
        if (Map is not null)
        {
            await Map.SetDraftAsync(null);
        }
    }

    private async Task LoadAsync() => _zones = await ListZones.HandleAsync(SubjectId, User, CancellationToken.None) ?? [];

    private async Task NewAsync()
    {
        _editing = null;
        _name = null;
        _kind = ZoneKind.Exclusion;
        _shape = ZoneShapeKind.Circle;
        (_lat, _lon, _radius, _cornersText, _curfewStart, _curfewEnd) = (null, null, null, null, null, null);
        _problems = [];
        _error = null;
        await StopDrawingAsync();
        await ShowDraftAsync();
    }

    private async Task EditAsync(ListZones.ZoneItem zone)
    {
        _editing = zone.Id;
        _editingName = zone.Name;
        _version = zone.Version;
        _name = zone.Name;
        _kind = zone.Kind;
        _shape = zone.Shape;
        _lat = zone.Centre?.Lat;
        _lon = zone.Centre?.Lon;
        _radius = zone.RadiusM;
        _cornersText = string.Join("\n", zone.Corners.Select(Line));
        _curfewStart = zone.CurfewStart?.ToString("HH:mm", Invariant);
        _curfewEnd = zone.CurfewEnd?.ToString("HH:mm", Invariant);
        _problems = [];
        _error = null;
        _status = null;
        await StopDrawingAsync();
        await ShowDraftAsync();
    }

    private async Task SetAsync(Action change)
    {
        change();
        _problems = [];
        await ShowDraftAsync();
    }

    private async Task KindChangedAsync(ZoneKind kind)
    {
        _kind = kind;
        if (kind == ZoneKind.Exclusion)
        {
            (_curfewStart, _curfewEnd) = (null, null);
        }

        await ShowDraftAsync();
    }

    private async Task ShapeChangedAsync(ZoneShapeKind shape)
    {
        _shape = shape;
        _problems = [];
        await StopDrawingAsync();
        await ShowDraftAsync();
    }

    private async Task ToggleDrawingAsync(MapDrawing mode)
    {
        if (_drawing == mode)
        {
            await StopDrawingAsync();
            return;
        }

        _drawing = mode;
        if (Map is not null)
        {
            await Map.StartDrawingAsync(mode);
        }
    }

    private async Task StopDrawingAsync()
    {
        if (_drawing is not null && Map is not null)
        {
            await Map.StopDrawingAsync();
        }

        _drawing = null;
    }

    /// <summary>A click on the map while drawing: the circle's centre (then drawing stops), or the polygon's next corner.</summary>
    public async Task MapClickedAsync(LatLon position)
    {
        if (!_open || _drawing is null)
        {
            return;
        }

        var lat = Math.Round(position.Lat, 6);
        var lon = Math.Round(position.Lon, 6);
        if (_drawing == MapDrawing.Point)
        {
            (_lat, _lon) = (lat, lon);
            await StopDrawingAsync();
        }
        else
        {
            var line = Line(new LatLon(lat, lon));
            _cornersText = string.IsNullOrWhiteSpace(_cornersText) ? line : _cornersText.TrimEnd() + "\n" + line;
        }

        _problems = [];
        await ShowDraftAsync();
        StateHasChanged();
    }

    /// <summary>A corner as typed back into the form: exact, so that saving an unchanged outline changes nothing.</summary>
    private static string Line(LatLon p) => $"{p.Lat.ToString("R", Invariant)}, {p.Lon.ToString("R", Invariant)}";

    private async Task RemoveLastCornerAsync()
    {
        var lines = (_cornersText ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (lines.Count > 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        _cornersText = string.Join("\n", lines);
        await ShowDraftAsync();
    }

    private async Task ShowDraftAsync()
    {
        if (Map is null)
        {
            return;
        }

        IReadOnlyList<LatLon> ring = [];
        if (_shape == ZoneShapeKind.Circle)
        {
            if (_lat is { } lat and >= -90 and <= 90 && _lon is { } lon and >= -180 and <= 180)
            {
                ring = _radius is { } r and >= ZoneDraft.MinRadiusM and <= ZoneDraft.MaxRadiusM ? Geo.Circle(new LatLon(lat, lon), r, 64) : [new LatLon(lat, lon)];
            }
        }
        else
        {
            ring = ParseCorners(_cornersText).Corners;
        }

        await Map.SetDraftAsync(ring.Count == 0 ? null : new MapDraft([.. ring.Select(p => new[] { p.Lat, p.Lon })], _kind, _shape == ZoneShapeKind.Polygon || ring.Count == 1));
    }

    /// <summary>The corners typed one per line as "latitude, longitude", and the first line that is not one.</summary>
    internal static (List<LatLon> Corners, string? Problem) ParseCorners(string? text)
    {
        var corners = new List<LatLon>();
        var lines = (text ?? "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split([',', ';', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, Invariant, out var lat)
                || !double.TryParse(parts[1], NumberStyles.Float, Invariant, out var lon))
            {
                return (corners, $"Line {i + 1}: write each corner as \"latitude, longitude\", for example 51.50720, -0.12760.");
            }

            corners.Add(new LatLon(lat, lon));
        }

        return (corners, null);
    }

    private static (TimeOnly? Time, bool Ok) ParseTime(string? text) =>
        string.IsNullOrWhiteSpace(text) ? (null, true)
        : TimeOnly.TryParseExact(text.Trim(), ["HH:mm", "HH:mm:ss"], Invariant, DateTimeStyles.None, out var t) ? (t, true)
        : (null, false);

    private async Task SaveAsync()
    {
        _error = null;
        _status = null;
        var (corners, cornerProblem) = ParseCorners(_cornersText);
        var (start, startOk) = ParseTime(_curfewStart);
        var (end, endOk) = ParseTime(_curfewEnd);
        var draft = new ZoneDraft(_name, _kind, _shape, _lat, _lon, _radius, corners, _kind == ZoneKind.Inclusion ? start : null, _kind == ZoneKind.Inclusion ? end : null);
        var problems = new List<ZoneProblem>();
        if (_shape == ZoneShapeKind.Polygon && cornerProblem is not null)
        {
            problems.Add(new(ZoneField.Corners, cornerProblem));
        }

        if (!startOk || !endOk)
        {
            problems.Add(new(ZoneField.Curfew, "Give the curfew hours as hours and minutes, e.g. 19:00."));
        }

        problems.AddRange(draft.Validate().Where(p => problems.All(q => q.Field != p.Field)));
        _problems = problems;
        if (problems.Count > 0)
        {
            _error = problems.Count == 1 ? "The zone was not saved: correct the field marked below." : $"The zone was not saved: correct the {problems.Count} fields marked below.";
            return;
        }

        _saving = true;
        try
        {
            var result = _editing is { } id
                ? await EditZone.HandleAsync(id, draft, _version, User, CancellationToken.None)
                : await CreateZone.HandleAsync(SubjectId, draft, User, CancellationToken.None);
            switch (result)
            {
                case ActionResult.Done:
                    var saved = draft.Name!.Trim();
                    var created = _editing is null;
                    await LoadAsync();
                    await NewAsync();
                    _status = created ? $"Zone \"{saved}\" saved; it is drawn on the map and watched from now on." : $"Changes to \"{saved}\" saved; the zone is watched afresh from now on.";
                    await OnChanged.InvokeAsync();
                    break;
                case ActionResult.Refused refused:
                    _error = refused.Message;
                    break;
                default:
                    _error = "This subject's zones cannot be changed by you.";
                    break;
            }
        }
        finally
        {
            _saving = false;
        }
    }

    private async Task DeactivateAsync(ListZones.ZoneItem zone)
    {
        _confirming = null;
        _status = null;
        _error = null;
        var result = await DeactivateZone.HandleAsync(zone.Id, zone.Version, User, CancellationToken.None);
        if (result is ActionResult.Refused refused)
        {
            _error = refused.Message;
            return;
        }

        if (_editing == zone.Id)
        {
            await NewAsync();
        }

        await LoadAsync();
        _status = $"Zone \"{zone.Name}\" deactivated; it is no longer watched.";
        await OnChanged.InvokeAsync();
    }
}
