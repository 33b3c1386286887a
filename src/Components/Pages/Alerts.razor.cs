using Dashboard.Components.Alerts;
using Dashboard.Components.Common;
using Dashboard.Domain;
using Dashboard.Features.Alerts;
using Dashboard.Features.Breaches;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Dashboard.Components.Pages;

/// <summary>
/// The alerts list: filtered, sorted and paged on the server, kept current by the live channel (a new or
/// changed alert in scope reloads the page of the grid being looked at; the selection survives by id).
/// </summary>
public sealed partial class Alerts : IAsyncDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Dictionary<Guid, ListAlerts.Item> _selected = [];
    private MudDataGrid<ListAlerts.Item>? _grid;
    private IReadOnlyList<ListAlerts.Officer> _officers = [];
    private IReadOnlyCollection<AlertKind> _kinds = [];
    private IReadOnlyCollection<AlertState> _states = [AlertState.Open, AlertState.Acknowledged];
    private string? _subject;
    private Guid? _officer;
    private AlertAge _age;
    private CurrentUser? _user;
    private bool _canAct;
    private bool _moreThanCap;
    private string? _message;
    private Severity _messageSeverity = Severity.Info;
    private string? _breachLink;
    private string? _announcement;
    private Timer? _reloadSoon;
    private ListAlerts.Result? _prerendered;
    private LiveState _liveState = LiveState.Connecting;
    private int _reloadPending;

    [Inject]
    private ListAlerts List { get; set; } = default!;

    [Inject]
    private AcknowledgeAlerts Acknowledge { get; set; } = default!;

    [Inject]
    private DismissAlert Dismiss { get; set; } = default!;

    [Inject]
    private RecordExcuse Excuse { get; set; } = default!;

    [Inject]
    private ProposeBreach Propose { get; set; } = default!;

    [Inject]
    private LiveClient Live { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    /// <summary>An alert to highlight (from a notification's link).</summary>
    [SupplyParameterFromQuery(Name = "alert")]
    public Guid? Highlight { get; set; }

    private string SelectedText => _selected.Count switch
    {
        0 => "No alerts selected",
        1 => "1 alert selected",
        var n => $"{n} alerts selected",
    };

    private bool SameSubject => _selected.Count > 0 && _selected.Values.Select(a => a.SubjectId).Distinct().Count() == 1;

    private bool CanPropose => SameSubject;

    private bool CanBulkAcknowledge =>
        _selected.Count > 0 && _selected.Values.All(a => a.State == AlertState.Open)
        && (_selected.Count == 1 || _selected.Values.All(a => a.OfficerId == _user?.Id));

    private string? SelectionHint => _selected.Count switch
    {
        0 => null,
        _ when !SameSubject => "A breach is about one person: select alerts of the same subject to propose one.",
        > 1 when _selected.Values.Any(a => a.OfficerId != _user?.Id) => "Bulk acknowledge is for your own caseload.",
        _ => null,
    };

    protected override async Task OnInitializedAsync()
    {
        _user = CurrentUser.From((await AuthState).User);
        if (_user is null)
        {
            return;
        }

        _canAct = _user.CanAct;
        _officers = await List.OfficersAsync(_user, CancellationToken.None);
        if (Highlight is not null)
        {
            // Coming from a notification: show that alert whatever its state.
            _states = [];
        }

        if (!RendererInfo.IsInteractive)
        {
            _prerendered = await List.HandleAsync(new ListAlerts.Query(States: _states), _user, CancellationToken.None);
        }
        else
        {
            _subscriptions.Add(Live.OnAlertRaised(m => InvokeAsync(() => Changed($"New alert: {AlertRules.Describe(m.Kind)}."))));
            _subscriptions.Add(Live.OnAlertChanged(_ => InvokeAsync(() => Changed(null))));
            _subscriptions.Add(Live.OnBreachChanged(_ => InvokeAsync(() => Changed(null))));
            Live.StateChanged += OnLiveStateChangedAsync;
            _reloadSoon = new Timer(_ => _ = InvokeAsync(ReloadIfPendingAsync));
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive && _user is not null)
        {
            await Live.StartAsync(CancellationToken.None);
            _liveState = Live.State;
            StateHasChanged();
        }
    }

    private async Task<GridData<ListAlerts.Item>> LoadAsync(GridState<ListAlerts.Item> state, CancellationToken ct)
    {
        if (_user is null)
        {
            return new GridData<ListAlerts.Item> { Items = [], TotalItems = 0 };
        }

        var sort = state.SortDefinitions.FirstOrDefault();
        var query = new ListAlerts.Query(
            state.Page,
            state.PageSize,
            _kinds,
            _states,
            _subject,
            _officer,
            null,
            _age,
            sort?.SortBy switch
            {
                nameof(ListAlerts.Item.Kind) => AlertSort.Kind,
                nameof(ListAlerts.Item.State) => AlertSort.State,
                nameof(ListAlerts.Item.SubjectName) => AlertSort.Subject,
                nameof(ListAlerts.Item.Occurrences) => AlertSort.Occurrences,
                _ => AlertSort.RaisedAt,
            },
            sort?.Descending ?? true);
        var result = await List.HandleAsync(query, _user, ct);
        _moreThanCap = result.MoreThanCap;
        // Keep the selection current (state and version) where the rows are on this page.
        foreach (var item in result.Items.Where(i => _selected.ContainsKey(i.Id)))
        {
            if (item.IsActive)
            {
                _selected[item.Id] = item;
            }
            else
            {
                _selected.Remove(item.Id);
            }
        }

        return new GridData<ListAlerts.Item> { Items = result.Items, TotalItems = Math.Min(result.Total, ListAlerts.CountCap) };
    }

    private string RowClass(ListAlerts.Item item, int index) =>
        item.Id == Highlight ? "alerts-row alerts-row--highlight" : "alerts-row";

    private void Toggle(ListAlerts.Item item, bool selected)
    {
        if (selected)
        {
            _selected[item.Id] = item;
        }
        else
        {
            _selected.Remove(item.Id);
        }
    }

    private void ClearSelection() => _selected.Clear();

    private Task KindsChanged(IEnumerable<AlertKind>? kinds)
    {
        _kinds = [.. kinds ?? []];
        return ReloadAsync();
    }

    private Task StatesChanged(IEnumerable<AlertState>? states)
    {
        _states = [.. states ?? []];
        return ReloadAsync();
    }

    private Task SubjectChanged(string? subject)
    {
        _subject = subject;
        return ReloadAsync();
    }

    private Task OfficerChanged(Guid? officer)
    {
        _officer = officer;
        return ReloadAsync();
    }

    private Task AgeChanged(AlertAge age)
    {
        _age = age;
        return ReloadAsync();
    }

    private async Task AcknowledgeAsync(ListAlerts.Item item)
    {
        var result = await Acknowledge.HandleAsync(new([new(item.Id, item.Version)]), _user!, CancellationToken.None);
        await ShowAsync(result, $"Acknowledged: {AlertRules.Describe(item.Kind)} for {item.SubjectName}.");
    }

    private async Task AcknowledgeSelectedAsync()
    {
        var targets = _selected.Values.Select(a => new AlertActions.Target(a.Id, a.Version)).ToList();
        var result = await Acknowledge.HandleAsync(new(targets), _user!, CancellationToken.None);
        if (result is ActionResult.Done)
        {
            _selected.Clear();
        }

        await ShowAsync(result, targets.Count == 1 ? "Acknowledged 1 alert." : $"Acknowledged {targets.Count} alerts.");
    }

    private async Task DismissAsync(ListAlerts.Item item)
    {
        var reason = await AskAsync(new DialogParameters<TextDialog>
        {
            { d => d.Title, $"Dismiss {AlertRules.Describe(item.Kind).ToLowerInvariant()} for {item.SubjectName}" },
            { d => d.Explanation, "Say why this alert needs nothing more. The reason is kept with the alert and in the audit log." },
            { d => d.Label, "Reason for dismissing" },
            { d => d.SubmitText, "Dismiss alert" },
            { d => d.RequiredError, "Give a reason for dismissing this alert." },
        });
        if (reason is null)
        {
            return;
        }

        var result = await Dismiss.HandleAsync(new(item.Id, reason, item.Version), _user!, CancellationToken.None);
        await ShowAsync(result, $"Dismissed: {AlertRules.Describe(item.Kind)} for {item.SubjectName}.");
    }

    private async Task ExcuseAsync(ListAlerts.Item item)
    {
        var excuse = await AskAsync(new DialogParameters<TextDialog>
        {
            { d => d.Title, $"Reasonable excuse for {item.SubjectName}" },
            { d => d.Explanation, $"{AlertRules.Describe(item.Kind)}, raised {LondonTime.Format(item.RaisedAt)}. A recorded excuse keeps this alert out of the person's violation count." },
            { d => d.Label, "Reasonable excuse" },
            { d => d.SubmitText, "Record excuse" },
            { d => d.RequiredError, "Describe the reasonable excuse." },
        });
        if (excuse is null)
        {
            return;
        }

        var result = await Excuse.HandleAsync(new(item.Id, excuse, item.Version), _user!, CancellationToken.None);
        await ShowAsync(result, $"Reasonable excuse recorded for {item.SubjectName}.");
    }

    private async Task ProposeBreachAsync()
    {
        var alerts = _selected.Values.OrderBy(a => a.RaisedAt).ToList();
        var summary = await AskAsync(new DialogParameters<TextDialog>
        {
            { d => d.Title, $"Propose a breach for {alerts[0].SubjectName}" },
            { d => d.Explanation, $"From {(alerts.Count == 1 ? "1 alert" : $"{alerts.Count} alerts")}: {string.Join(", ", alerts.Select(a => AlertRules.Describe(a.Kind)))}. A supervisor of the team, not you, confirms or rejects it." },
            { d => d.Label, "Summary of the breach" },
            { d => d.SubmitText, "Propose breach" },
            { d => d.RequiredError, "Write a summary of the breach." },
            { d => d.MaxLength, BreachRules.MaxSummaryLength },
        });
        if (summary is null)
        {
            return;
        }

        var result = await Propose.HandleAsync(new([.. alerts.Select(a => a.Id)], summary), _user!, CancellationToken.None);
        if (result is ActionResult.Done done)
        {
            _selected.Clear();
            await ShowAsync(result, $"Breach {done.Number} proposed for {alerts[0].SubjectName}.", done.Id is { } id ? $"/breaches/{id}" : null);
        }
        else
        {
            await ShowAsync(result, "");
        }
    }

    private async Task<string?> AskAsync(DialogParameters<TextDialog> parameters)
    {
        var dialog = await Dialogs.ShowAsync<TextDialog>(null, parameters, new DialogOptions { CloseOnEscapeKey = true, MaxWidth = MaxWidth.Small, FullWidth = true });
        var answer = await dialog.Result;
        return answer is { Canceled: false, Data: string text } ? text : null;
    }

    private async Task ShowAsync(ActionResult result, string done, string? link = null)
    {
        (_message, _messageSeverity, _breachLink) = result switch
        {
            ActionResult.Done => (done, Severity.Success, link),
            ActionResult.NotFound => ("That alert is not in your caseloads any more.", Severity.Warning, (string?)null),
            ActionResult.Refused refused => (refused.Message, Severity.Warning, (string?)null),
            _ => (null, Severity.Info, (string?)null),
        };
        _announcement = _message;
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        if (_grid is not null)
        {
            await _grid.ReloadServerData();
        }

        StateHasChanged();
    }

    /// <summary>A storm of live messages reloads the grid at most every half second.</summary>
    private Task Changed(string? announcement)
    {
        if (announcement is not null)
        {
            _announcement = announcement;
        }

        if (Interlocked.Exchange(ref _reloadPending, 1) == 0)
        {
            _reloadSoon?.Change(TimeSpan.FromMilliseconds(300), Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    private async Task ReloadIfPendingAsync()
    {
        if (Interlocked.Exchange(ref _reloadPending, 0) == 1)
        {
            try
            {
                await ReloadAsync();
            }
            catch (Exception ex)
            {
                await DispatchExceptionAsync(ex);
            }
        }
    }

    private async Task OnLiveStateChangedAsync(LiveState state)
    {
        _liveState = state;
        if (state == LiveState.Connected)
        {
            // After a reconnect, fetch whatever changed meanwhile.
            await InvokeAsync(() => Changed(null));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        Live.StateChanged -= OnLiveStateChangedAsync;
        if (_reloadSoon is not null)
        {
            await _reloadSoon.DisposeAsync();
        }
    }
}
