using System.Globalization;
using Dashboard.Domain;
using Dashboard.Features.Oversight;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace Dashboard.Components.Pages;

/// <summary>The proportionality review of one person: the form (officers and supervisors in scope) and the earlier reviews.</summary>
public sealed partial class OversightReviewForm
{
    private sealed class Condition(string name)
    {
        public string Name { get; } = name;
        public bool? StillNecessary { get; set; }
        public string? Note { get; set; }
    }

    private List<Condition> _conditions = [];
    private GetMonitoringReview.Details? _details;
    private List<BreadcrumbItem> _crumbs = [];
    private CurrentUser? _user;
    private bool _canAct;
    private bool _busy;
    private bool? _frequencyAppropriate;
    private string? _frequencyNote;
    private string? _representations;
    private MonitoringReviewOutcome? _outcome;
    private string? _reasons;
    private string? _nextDue;
    private string? _error;
    private int _interval;

    [Inject]
    private GetMonitoringReview Get { get; set; } = default!;

    [Inject]
    private RecordMonitoringReview Record { get; set; } = default!;

    [Inject]
    private IOptions<OversightOptions> Options { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private AccessRefusals Refusals { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Parameter]
    public Guid SubjectId { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        _user = CurrentUser.From((await AuthState).User);
        _canAct = _user?.CanAct == true;
        _interval = Options.Value.ReviewIntervalMonths;
        await LoadAsync();
        if (_details is null)
        {
            // Outside the caseload looks the same as not existing; only the auditors learn of the attempt.
            if (_user is not null)
            {
                await Refusals.OutOfScopeAsync(_user, AccessRefusals.Record.Subject, SubjectId, "the proportionality review", CancellationToken.None);
            }

            Navigation.NotFound();
        }
    }

    private async Task LoadAsync()
    {
        _details = _user is null ? null : await Get.HandleAsync(SubjectId, _user, CancellationToken.None);
        if (_details is { } d)
        {
            _crumbs = [new BreadcrumbItem("Monitoring reviews", "/oversight/reviews"), new BreadcrumbItem(d.Name, null, disabled: true)];
            _conditions = [.. MonitoringReviewRules.Conditions.Select(c => new Condition(c))];
            (_frequencyAppropriate, _frequencyNote, _representations, _outcome, _reasons) = (null, null, null, null, null);
            _nextDue = d.DefaultNextDue.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
    }

    private async Task SubmitAsync()
    {
        _error = null;
        if (_user is null || _details is null)
        {
            return;
        }

        if (_conditions.Any(c => c.StillNecessary is null) || _frequencyAppropriate is null || _outcome is null)
        {
            _error = "Answer every question: each condition, the check-in frequency and the outcome.";
            return;
        }

        if (!DateOnly.TryParseExact(_nextDue, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var next))
        {
            _error = "Give the date the next review is due.";
            return;
        }

        _busy = true;
        try
        {
            var findings = _conditions.Select(c => new ConditionFinding(c.Name, c.StillNecessary!.Value, string.IsNullOrWhiteSpace(c.Note) ? null : c.Note.Trim())).ToList();
            var result = await Record.HandleAsync(new(SubjectId, _details.DueOn, findings, _frequencyAppropriate.Value, _frequencyNote, _representations,
                _outcome.Value, _reasons, next), _user, CancellationToken.None);
            switch (result)
            {
                case OversightResult.Done:
                    Snackbar.Add($"Review recorded. The next one is due {next.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB"))}.", Severity.Success);
                    await LoadAsync();
                    break;
                case OversightResult.Refused refused:
                    _error = refused.Message;
                    break;
                default:
                    _error = "This person is not in your caseload.";
                    break;
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private static string D(DateOnly day) => day.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB"));
}
