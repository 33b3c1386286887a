using Dashboard.Domain;
using Dashboard.Features.Board;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Components.Pages;

/// <summary>
/// The caseload's day: first painted from the database, then kept current by the live channel.
/// Every live message is applied once (by check-in id); after a reconnect the page fetches what
/// arrived meanwhile, so nothing is lost or shown twice.
/// </summary>
public sealed partial class Home
{
    private enum Filter
    {
        None,
        Verified,
        Borderline,
        Failed,
        Missed,
        Alerts,
    }

    private readonly List<IDisposable> _subscriptions = [];
    private readonly HashSet<Guid> _seen = [];
    private readonly Dictionary<Guid, GetDashboard.Person?> _outsideGrid = [];
    private readonly List<GetDashboard.FeedItem> _waiting = [];
    private List<GetDashboard.Row> _rows = [];
    private List<GetDashboard.FeedItem> _feed = [];
    private GetDashboard.Result? _data;
    private GetDashboard.Counters _counters = new(0, 0, 0, 0, 0);
    private CurrentUser? _user;
    private Filter _filter;
    private bool _paused;
    private LiveState _liveState = LiveState.Connecting;
    private DateTimeOffset _asOf;
    private DateTimeOffset _lastReceivedAt = DateTimeOffset.MinValue;
    private Timer? _clock;

    [Inject]
    private GetDashboard Board { get; set; } = default!;

    [Inject]
    private LiveClient Live { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    private string ScopeDescription => _user?.Role switch
    {
        StaffRole.Officer => "Your caseload",
        StaffRole.Supervisor => "Your team's caseloads",
        StaffRole.Auditor => "All caseloads (read-only)",
        _ => "",
    };

    private string FilterLabel => _filter switch
    {
        Filter.Borderline => "borderline",
        Filter.Alerts => "with open alerts",
        _ => _filter.ToString().ToLowerInvariant(),
    };

    private IEnumerable<GetDashboard.Row> VisibleRows => _filter switch
    {
        Filter.None => _rows,
        Filter.Alerts => _rows.Where(r => r.OpenAlerts > 0),
        _ => _rows.Where(r => r.Cells.Any(c => c.Outcome == ToCell(_filter) || (_filter == Filter.Verified && c.Outcome == CellOutcome.VerifiedByReview))),
    };

    private IEnumerable<GetDashboard.FeedItem> VisibleFeed => _filter switch
    {
        Filter.Verified or Filter.Borderline or Filter.Failed => _feed.Where(f => GetDashboard.ToCell(f.Outcome) == ToCell(_filter)),
        Filter.Alerts or Filter.Missed => _feed.Where(f => _rows.Any(r => r.SubjectId == f.SubjectId && (_filter == Filter.Missed
            ? r.Cells.Any(c => c.Outcome == CellOutcome.Missed)
            : r.OpenAlerts > 0))),
        _ => _feed,
    };

    protected override async Task OnInitializedAsync()
    {
        _user = CurrentUser.From((await AuthState).User);
        if (_user is null)
        {
            return;
        }

        _data = await Board.HandleAsync(_user, CancellationToken.None);
        _rows = [.. _data.Rows];
        _feed = [.. _data.Feed];
        _counters = _data.Counters;
        _asOf = _data.AsOf;
        foreach (var item in _feed)
        {
            _seen.Add(item.CheckInId);
            _lastReceivedAt = Max(_lastReceivedAt, item.ReceivedAt);
        }

        if (RendererInfo.IsInteractive)
        {
            _subscriptions.Add(Live.OnCheckInReceived(m => InvokeAsync(() => ApplyAsync(m))));
            _subscriptions.Add(Live.OnReviewChanged(m => InvokeAsync(() => ApplyReview(m))));
            _subscriptions.Add(Live.OnAlertRaised(_ => InvokeAsync(RefreshCountersAsync)));
            _subscriptions.Add(Live.OnAlertChanged(_ => InvokeAsync(RefreshCountersAsync)));
            Live.StateChanged += OnLiveStateChangedAsync;
            _clock = new Timer(_ => _ = InvokeAsync(MarkMissedAsync), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
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

    private async Task ApplyAsync(CheckInReceived message)
    {
        if (_user is null || !_seen.Add(message.CheckInId))
        {
            return;
        }

        // People beyond the grid's first rows are still in the feed and the counters: their name is looked up once.
        var row = _rows.FindIndex(r => r.SubjectId == message.SubjectId);
        var person = row >= 0
            ? new GetDashboard.Person(_rows[row].CaseReference, _rows[row].Name)
            : await OutsideGridAsync(message.SubjectId);
        if (person is null)
        {
            return;
        }

        var item = new GetDashboard.FeedItem(message.CheckInId, message.SubjectId, person.CaseReference, person.Name,
            message.Outcome, message.CapturedAt, message.ReceivedAt, message.MatchScore, message.LivenessScore);
        Apply(item, message.PromptId);
        StateHasChanged();
    }

    private async Task<GetDashboard.Person?> OutsideGridAsync(Guid subjectId)
    {
        if (_outsideGrid.TryGetValue(subjectId, out var known))
        {
            return known;
        }

        var person = await Board.PersonAsync(_user!, subjectId, CancellationToken.None);
        if (_outsideGrid.Count >= 2_000)
        {
            _outsideGrid.Clear();
        }

        _outsideGrid[subjectId] = person;
        return person;
    }

    /// <summary>A decided review changes its borderline cell: "verified by review", or failed.</summary>
    private void ApplyReview(ReviewChanged message)
    {
        if (!Enum.TryParse<ReviewDecision>(message.State, out var decision))
        {
            return;
        }

        var row = _rows.FindIndex(r => r.SubjectId == message.SubjectId);
        if (row < 0 || !_rows[row].Cells.Any(c => c.CheckInId == message.CheckInId))
        {
            return;
        }

        _rows[row] = _rows[row] with
        {
            Cells = [.. _rows[row].Cells.Select(c => c.CheckInId == message.CheckInId && c.Outcome == CellOutcome.Borderline
                ? c with { Outcome = GetDashboard.ToCell(CheckInOutcome.Borderline, decision) }
                : c)],
        };
        _ = RefreshCountersAsync();
        StateHasChanged();
    }

    private void Apply(GetDashboard.FeedItem item, Guid? promptId)
    {
        _lastReceivedAt = Max(_lastReceivedAt, item.ReceivedAt);
        _asOf = Max(_asOf, item.ReceivedAt);
        var row = _rows.FindIndex(r => r.SubjectId == item.SubjectId);
        if (row >= 0 && promptId is not null)
        {
            var cells = _rows[row].Cells.Select(c => c.PromptId == promptId
                ? c with { CheckInId = item.CheckInId, Outcome = GetDashboard.ToCell(item.Outcome), At = item.CapturedAt }
                : c).ToList();
            _rows[row] = _rows[row] with { Cells = cells };
        }

        _counters = item.Outcome switch
        {
            CheckInOutcome.Verified => _counters with { Verified = _counters.Verified + 1 },
            CheckInOutcome.Borderline => _counters with { BorderlineAwaitingReview = _counters.BorderlineAwaitingReview + 1 },
            CheckInOutcome.Failed => _counters with { Failed = _counters.Failed + 1, OpenAlerts = _counters.OpenAlerts + 1 },
            _ => _counters,
        };
        if (_paused)
        {
            _waiting.Insert(0, item);
        }
        else
        {
            _feed.Insert(0, item);
            Trim();
        }
    }

    private async Task OnLiveStateChangedAsync(LiveState state)
    {
        var caughtUp = state == LiveState.Connected && _liveState != LiveState.Connected && _liveState != LiveState.Connecting;
        await InvokeAsync(async () =>
        {
            _liveState = state;
            if (caughtUp && _user is not null)
            {
                // Whatever arrived while the connection was down, once each.
                foreach (var item in (await Board.SinceAsync(_user, _lastReceivedAt, CancellationToken.None)).Reverse())
                {
                    if (_seen.Add(item.CheckInId))
                    {
                        Apply(item, null);
                    }
                }

                await ReloadGridAsync();
            }

            StateHasChanged();
        });
    }

    private async Task ReloadGridAsync()
    {
        if (_user is null)
        {
            return;
        }

        var fresh = await Board.HandleAsync(_user, CancellationToken.None);
        _rows = [.. fresh.Rows];
        _counters = fresh.Counters;
        _asOf = fresh.AsOf;
    }

    private async Task RefreshCountersAsync()
    {
        if (_user is not null)
        {
            _counters = await Board.CountersAsync(_user, CancellationToken.None);
            StateHasChanged();
        }
    }

    private async Task MarkMissedAsync()
    {
        var now = Clock.GetUtcNow();
        var changed = false;
        for (var i = 0; i < _rows.Count; i++)
        {
            if (_rows[i].Cells.Any(c => c.Outcome == CellOutcome.Pending && c.WindowEndsAt < now))
            {
                _rows[i] = _rows[i] with
                {
                    Cells = [.. _rows[i].Cells.Select(c => c.Outcome == CellOutcome.Pending && c.WindowEndsAt < now ? c with { Outcome = CellOutcome.Missed } : c)],
                };
                changed = true;
            }
        }

        if (changed)
        {
            await RefreshCountersAsync();
        }
    }

    private void TogglePause()
    {
        _paused = !_paused;
        if (!_paused && _waiting.Count > 0)
        {
            _feed.InsertRange(0, _waiting);
            _waiting.Clear();
            Trim();
        }
    }

    private void Toggle(Filter filter) => _filter = _filter == filter ? Filter.None : filter;

    private void Trim()
    {
        if (_feed.Count > GetDashboard.FeedSize)
        {
            _feed.RemoveRange(GetDashboard.FeedSize, _feed.Count - GetDashboard.FeedSize);
        }
    }

    private static CellOutcome ToCell(Filter filter) => filter switch
    {
        Filter.Verified => CellOutcome.Verified,
        Filter.Borderline => CellOutcome.Borderline,
        Filter.Failed => CellOutcome.Failed,
        _ => CellOutcome.Missed,
    };

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        Live.StateChanged -= OnLiveStateChangedAsync;
        if (_clock is not null)
        {
            await _clock.DisposeAsync();
        }
    }
}
