using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Components.Pages;

/// <summary>
/// The breaches of the user's caseloads, a page at a time, live: a new proposal appears for the
/// supervisor without a reload, and is announced to screen readers.
/// </summary>
public sealed partial class Breaches : IDisposable
{
    private const int PageSize = 25;
    private const string Awaiting = "awaiting";
    private const string All = "all";

    private readonly List<IDisposable> _subscriptions = [];
    private ListBreaches.Result? _result;
    private CurrentUser? _user;
    private string _filter = All;
    private int _page;
    private string? _announcement;

    [Inject]
    private ListBreaches ListBreaches { get; set; } = default!;

    [Inject]
    private LiveClient Live { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    private IEnumerable<(string Key, string Label)> Filters
    {
        get
        {
            if (_user?.Role == StaffRole.Supervisor)
            {
                yield return (Awaiting, "Awaiting my decision");
            }

            yield return (All, "All");
            foreach (var state in Enum.GetValues<BreachState>())
            {
                yield return (state.ToString(), BreachText.Describe(state));
            }
        }
    }

    private string EmptyText => _filter switch
    {
        Awaiting => "Nothing awaits your decision: no breach proposed by someone else in your team is waiting.",
        All => "No breaches in your caseloads. Breaches are proposed from alerts on the alerts page.",
        _ => $"No {BreachText.Describe(Enum.Parse<BreachState>(_filter)).ToLowerInvariant()} breaches in your caseloads.",
    };

    protected override async Task OnInitializedAsync()
    {
        _user = CurrentUser.From((await AuthState).User);
        // A supervisor comes here to decide: start with what waits for them.
        _filter = _user?.Role == StaffRole.Supervisor ? Awaiting : All;
        await LoadAsync();
        if (RendererInfo.IsInteractive)
        {
            _subscriptions.Add(Live.OnBreachChanged(m => InvokeAsync(() => OnBreachChangedAsync(m))));
            Live.StateChanged += OnLiveStateChangedAsync;
            await Live.StartAsync(CancellationToken.None);
        }
    }

    private async Task LoadAsync()
    {
        if (_user is null)
        {
            _result = new([], 0, 0, PageSize);
            return;
        }

        var query = _filter switch
        {
            Awaiting => new ListBreaches.Query(AwaitingMyDecision: true, Page: _page, PageSize: PageSize),
            All => new ListBreaches.Query(Page: _page, PageSize: PageSize),
            _ => new ListBreaches.Query(State: Enum.Parse<BreachState>(_filter), Page: _page, PageSize: PageSize),
        };
        _result = await ListBreaches.HandleAsync(query, _user, CancellationToken.None);
    }

    private async Task FilterAsync(string filter)
    {
        _filter = filter;
        _page = 0;
        await LoadAsync();
    }

    private async Task PageAsync(int step)
    {
        _page = Math.Max(0, _page + step);
        await LoadAsync();
    }

    private async Task OnBreachChangedAsync(BreachChanged message)
    {
        try
        {
            var known = _result?.Items.Any(i => i.Id == message.BreachId) == true;
            await LoadAsync();
            if (!known && message.State == BreachState.Proposed && _result?.Items.Any(i => i.Id == message.BreachId) == true)
            {
                _announcement = $"New breach proposal {message.Number} by {message.By}.";
            }
            else if (known)
            {
                _announcement = $"Breach {message.Number} is now {BreachText.Describe(message.State).ToLowerInvariant()}.";
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
            // Back after a break: fetch what was missed.
            ? InvokeAsync(async () =>
            {
                await LoadAsync();
                StateHasChanged();
            })
            : Task.CompletedTask;

    public void Dispose()
    {
        Live.StateChanged -= OnLiveStateChangedAsync;
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }
}
