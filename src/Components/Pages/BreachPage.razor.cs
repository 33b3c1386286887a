using Dashboard.Components.Common;
using Dashboard.Components.Maps;
using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Dashboard.Components.Pages;

/// <summary>
/// One breach: summary, evidence, notes and history, and the decision the user may take. Live: when
/// someone else decides or adds a note, the page shows it without a reload.
/// </summary>
public sealed partial class BreachPage : IDisposable
{
    private const string EvidenceColour = "#a51d12";
    private const string TrailColour = "#1b5fab";

    private readonly List<IDisposable> _subscriptions = [];
    private GetBreach.Details? _details;
    private List<BreadcrumbItem> _crumbs = [];
    private IReadOnlyList<MapMarker> _markers = [];
    private IReadOnlyList<MapMarker> _evidenceMarkers = [];
    private CurrentUser? _user;
    private string? _message;
    private Severity _messageSeverity = Severity.Info;
    private string? _note;
    private ElementReference _messageBox;
    private bool _focusMessage;
    private bool _subscribed;
    private bool _includePhotos;

    [Parameter]
    public Guid Id { get; set; }

    [Inject]
    private GetBreach GetBreach { get; set; } = default!;

    [Inject]
    private DecideBreach DecideBreach { get; set; } = default!;

    [Inject]
    private AddBreachNote AddBreachNote { get; set; } = default!;

    [Inject]
    private LiveClient Live { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private AccessRefusals Refusals { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        _user = CurrentUser.From((await AuthState).User);
        _message = null;
        if (_user is null || await LoadAsync() is null)
        {
            // Outside the caseload looks the same as not existing; only the auditors learn of the attempt.
            if (_user is not null)
            {
                await Refusals.OutOfScopeAsync(_user, AccessRefusals.Record.Breach, Id, "the breach page", CancellationToken.None);
            }

            Navigation.NotFound();
            return;
        }

        if (RendererInfo.IsInteractive && !_subscribed)
        {
            _subscribed = true;
            _subscriptions.Add(Live.OnBreachChanged(m => m.BreachId == Id ? InvokeAsync(() => OnBreachChangedAsync(m)) : Task.CompletedTask));
            Live.StateChanged += OnLiveStateChangedAsync;
            await Live.StartAsync(CancellationToken.None);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_focusMessage)
        {
            _focusMessage = false;
            await _messageBox.FocusAsync();
        }
    }

    private async Task<GetBreach.Details?> LoadAsync()
    {
        _details = await GetBreach.HandleAsync(Id, _user!, CancellationToken.None);
        if (_details is { } d)
        {
            _crumbs = [new BreadcrumbItem("Breaches", "/breaches"), new BreadcrumbItem(d.Number, null, disabled: true)];
            _evidenceMarkers = [.. d.CheckIns.Where(c => c.Lat is not null && c.Lon is not null)
                .Select(c => new MapMarker(c.Lat!.Value, c.Lon!.Value, c.AccuracyM, EvidenceColour, $"Check-in {LondonTime.FormatTime(c.CapturedAt)} ({c.Outcome})"))];
            _markers = [.. d.Trail.Select(p => new MapMarker(p.Lat, p.Lon, null, TrailColour, LondonTime.Format(p.At, "HH:mm:ss"))), .. _evidenceMarkers];
        }

        return _details;
    }

    /// <summary>The audited download (the endpoint checks the scope again and records the export).</summary>
    private string ReportUrl => $"/api/reports/breaches/{Id}.pdf{(_includePhotos ? "?photos=true" : "")}";

    private static string NoActionText(GetBreach.Details d) => d.State switch
    {
        BreachState.Proposed when d.CanAddNote =>
            "A supervisor of this person's team who did not propose the breach decides it; its proposer can withdraw it.",
        BreachState.Proposed => "Waiting for a decision. Auditors read breaches but do not act on them.",
        _ => $"{BreachText.Describe(d.State)}: no further decision is possible.",
    };

    private async Task DecideAsync((BreachAction Action, string Reason) choice)
    {
        if (_user is null)
        {
            return;
        }

        var result = await DecideBreach.HandleAsync(new DecideBreach.Command(Id, choice.Action, choice.Reason), _user, CancellationToken.None);
        switch (result)
        {
            case ActionResult.Done:
                Show(choice.Action switch
                {
                    BreachAction.Confirm => "You confirmed this breach.",
                    BreachAction.Reject => "You rejected this breach; its alerts are back with the officer.",
                    _ => "You withdrew this proposal; its alerts are back with the officer.",
                }, Severity.Success);
                break;
            case ActionResult.Refused refused:
                Show(refused.Message, Severity.Error);
                break;
            default:
                Navigation.NotFound();
                return;
        }

        await LoadAsync();
    }

    private async Task AddNoteAsync()
    {
        if (_user is null)
        {
            return;
        }

        var result = await AddBreachNote.HandleAsync(new AddBreachNote.Command(Id, _note), _user, CancellationToken.None);
        switch (result)
        {
            case ActionResult.Done:
                _note = null;
                Show("Note added.", Severity.Success);
                break;
            case ActionResult.Refused refused:
                Show(refused.Message, Severity.Error);
                break;
            default:
                Navigation.NotFound();
                return;
        }

        await LoadAsync();
    }

    private async Task OnBreachChangedAsync(BreachChanged message)
    {
        try
        {
            var before = _details?.State;
            if (await LoadAsync() is null)
            {
                return;
            }

            if (before is not null && before != message.State && message.By != _user?.Name)
            {
                // Someone else decided while this page was open: say so, and where the focus can find it.
                Show($"{message.By} {BreachText.Describe(message.State).ToLowerInvariant()} this breach.", Severity.Info);
            }

            StateHasChanged();
        }
        catch (Exception ex)
        {
            await DispatchExceptionAsync(ex);
        }
    }

    private Task OnLiveStateChangedAsync(LiveState state) =>
        state == LiveState.Connected
            ? InvokeAsync(async () =>
            {
                await LoadAsync();
                StateHasChanged();
            })
            : Task.CompletedTask;

    private void Show(string message, Severity severity)
    {
        _message = message;
        _messageSeverity = severity;
        _focusMessage = true;
    }

    public void Dispose()
    {
        Live.StateChanged -= OnLiveStateChangedAsync;
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }
}
