using System.Globalization;
using Dashboard.Domain;
using Dashboard.Features.Oversight;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Dashboard.Components.Pages;

/// <summary>
/// Threshold governance: the policy versions, a what-if replay and proposal form for supervisors, and the
/// proposals with their kept replays for a second supervisor to approve or reject. Auditors read only.
/// </summary>
public sealed partial class OversightThresholds
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById(RunThresholdReplay.Zone);
    private readonly Dictionary<Guid, string?> _rejectReasons = [];
    private readonly Dictionary<Guid, string> _proposalErrors = [];
    private ListThresholds.Result? _data;
    private CurrentUser? _user;
    private bool _canAct;
    private bool _busy;
    private DateTimeOffset _now;
    private double _acceptMatch;
    private double _rejectMatch;
    private double _acceptLiveness;
    private double _rejectLiveness;
    private string? _replayFrom;
    private string? _replayTo;
    private string? _effectiveFrom;
    private string? _reason;
    private string? _formError;
    private ReplaySummary? _replay;

    [Inject]
    private ListThresholds List { get; set; } = default!;

    [Inject]
    private RunThresholdReplay Replay { get; set; } = default!;

    [Inject]
    private ProposeThresholdChange Propose { get; set; } = default!;

    [Inject]
    private DecideThresholdProposal Decide { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    private ThresholdValues Values => new(_acceptMatch, _rejectMatch, _acceptLiveness, _rejectLiveness);

    protected override async Task OnInitializedAsync()
    {
        _user = CurrentUser.From((await AuthState).User);
        _canAct = _user?.Role == StaffRole.Supervisor;
        await LoadAsync();
        if (_data is not null)
        {
            (_acceptMatch, _rejectMatch, _acceptLiveness, _rejectLiveness) = (_data.Current.AcceptMatch, _data.Current.RejectMatch, _data.Current.AcceptLiveness, _data.Current.RejectLiveness);
        }

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(_now, London).DateTime);
        _replayFrom = Day(today.AddDays(-30));
        _replayTo = Day(today);
        _effectiveFrom = TimeZoneInfo.ConvertTime(_now.AddDays(1), London).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
    }

    private async Task LoadAsync()
    {
        _now = Clock.GetUtcNow();
        _data = _user is null ? null : await List.HandleAsync(_user, CancellationToken.None);
        foreach (var p in _data?.Proposals ?? [])
        {
            _rejectReasons.TryAdd(p.Id, null);
        }
    }

    private async Task ReplayAsync()
    {
        _formError = null;
        if (_user is null || !TryDay(_replayFrom, out var from) || !TryDay(_replayTo, out var to))
        {
            _formError = "Give the replay period as two dates.";
            return;
        }

        _busy = true;
        try
        {
            var result = await Replay.HandleAsync(new(LondonStart(from), LondonStart(to.AddDays(1)), Values), _user, CancellationToken.None);
            switch (result)
            {
                case RunThresholdReplay.Result.Done done:
                    _replay = done.Summary;
                    break;
                case RunThresholdReplay.Result.Refused refused:
                    _formError = refused.Message;
                    break;
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ProposeAsync()
    {
        _formError = null;
        if (_user is null || !DateTime.TryParseExact(_effectiveFrom, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            _formError = "Give the time the change takes effect.";
            return;
        }

        _busy = true;
        try
        {
            var effective = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, London), TimeSpan.Zero);
            var result = await Propose.HandleAsync(new(Values, effective, _reason, _replay), _user, CancellationToken.None);
            if (result is OversightResult.Refused refused)
            {
                _formError = refused.Message;
                return;
            }

            Snackbar.Add("Change proposed: a different supervisor decides it.", Severity.Success);
            _replay = null;
            _reason = null;
            await LoadAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    private Task ApproveAsync(Guid id) => ActAsync(id, () => Decide.ApproveAsync(id, _user!, CancellationToken.None), "Change approved: the new version takes effect at the stated time.");

    private Task RejectAsync(Guid id) => ActAsync(id, () => Decide.RejectAsync(id, _rejectReasons.GetValueOrDefault(id), _user!, CancellationToken.None), "Change rejected.");

    private Task WithdrawAsync(Guid id) => ActAsync(id, () => Decide.WithdrawAsync(id, _user!, CancellationToken.None), "Proposal withdrawn.");

    private async Task ActAsync(Guid id, Func<Task<OversightResult>> action, string done)
    {
        if (_user is null)
        {
            return;
        }

        _busy = true;
        try
        {
            _proposalErrors.Remove(id);
            switch (await action())
            {
                case OversightResult.Done:
                    Snackbar.Add(done, Severity.Success);
                    await LoadAsync();
                    break;
                case OversightResult.Refused refused:
                    _proposalErrors[id] = refused.Message;
                    break;
                default:
                    _proposalErrors[id] = "This proposal no longer exists.";
                    break;
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private static string StateText(ListThresholds.ProposalRow p) => p.State switch
    {
        ProposalState.Approved => $"Approved as v{p.PolicyVersion}",
        ProposalState.Rejected => "Rejected",
        ProposalState.Withdrawn => "Withdrawn",
        _ => "Awaiting a second supervisor",
    };

    private static string S(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool TryDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private static DateTimeOffset LondonStart(DateOnly day) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), London), TimeSpan.Zero);
}
