using Dashboard.Domain;
using Dashboard.Features.Reviews;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace Dashboard.Components.Pages;

/// <summary>
/// Deciding one borderline check-in. Opening it claims it; leaving releases it. One key per decision
/// (1 to 4), then a confirmation with the reason; Escape goes back.
/// </summary>
public sealed partial class ReviewScreen
{
    private GetReview.Details? _details;
    private List<BreadcrumbItem> _crumbs = [];
    private CurrentUser? _user;
    private bool _mine;
    private bool _zoom;
    private Dashboard.Components.Reviews.DecisionPanel? _panel;
    private string? _message;
    private Severity _messageSeverity = Severity.Info;
    private ElementReference _keyTarget;
    private bool _focusKeys;

    [Parameter]
    public Guid CheckInId { get; set; }

    [Inject]
    private GetReview GetReview { get; set; } = default!;

    [Inject]
    private ClaimReview Claims { get; set; } = default!;

    [Inject]
    private DecideReview Decide { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private AccessRefusals Refusals { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        _user = CurrentUser.From((await AuthState).User);
        if (_user is null || await LoadAsync() is null)
        {
            // Outside the caseload looks the same as not existing; only the auditors learn of the attempt.
            if (_user is not null)
            {
                await Refusals.OutOfScopeAsync(_user, AccessRefusals.Record.CheckIn, CheckInId, "the review screen", CancellationToken.None);
            }

            Navigation.NotFound();
            return;
        }

        // Claim only from the interactive circuit: the prerender must not hold a claim nobody releases.
        if (RendererInfo.IsInteractive && _details!.Decision is null)
        {
            var result = await Claims.ClaimAsync(CheckInId, _user, CancellationToken.None);
            _mine = result is ReviewResult.Done;
            if (result is ReviewResult.Refused refused)
            {
                Show(refused.Message, Severity.Warning);
            }

            await LoadAsync();
            _focusKeys = true;
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_focusKeys && _details is not null)
        {
            _focusKeys = false;
            await _keyTarget.FocusAsync();
        }
    }

    private async Task<GetReview.Details?> LoadAsync()
    {
        _details = await GetReview.HandleAsync(CheckInId, _user!, CancellationToken.None);
        if (_details is not null)
        {
            _crumbs = [new BreadcrumbItem("Reviews", "/reviews"), new BreadcrumbItem(_details.SubjectName, null, disabled: true)];
        }

        return _details;
    }

    private async Task OnKeyAsync(KeyboardEventArgs e)
    {
        if (_panel is not null)
        {
            var wasPending = _panel.IsPending;
            await _panel.HandleKeyAsync(e);
            _focusKeys = wasPending && !_panel.IsPending;
        }
    }

    private async Task ConfirmAsync((ReviewDecision Decision, string? Reason) choice)
    {
        if (_user is null)
        {
            return;
        }

        var result = await Decide.HandleAsync(new DecideReview.Command(CheckInId, choice.Decision, choice.Reason), _user, CancellationToken.None);
        switch (result)
        {
            case ReviewResult.Done:
                Show($"Decided: {ReviewRules.Describe(choice.Decision)}.", Severity.Success);
                _mine = false;
                break;
            case ReviewResult.Refused refused:
                Show(refused.Message, Severity.Error);
                break;
            default:
                Navigation.NotFound();
                return;
        }

        await LoadAsync();
    }

    private void Show(string message, Severity severity)
    {
        _message = message;
        _messageSeverity = severity;
    }

    public async ValueTask DisposeAsync()
    {
        if (_mine && _user is not null && _details?.Decision is null)
        {
            await Claims.ReleaseAsync(CheckInId, _user, CancellationToken.None);
        }
    }
}
