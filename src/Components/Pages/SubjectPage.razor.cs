using Dashboard.Components.Subjects;
using Dashboard.Features.Breaches;
using Dashboard.Features.Subjects;
using Dashboard.Live;
using Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Dashboard.Components.Pages;

/// <summary>
/// One person's record: profile, device, today's prompts, check-ins with their scores and thresholds,
/// alerts, breaches, absences and notes. It follows the live channel for this person, so a check-in or an
/// alert shows without a reload.
/// </summary>
public sealed partial class SubjectPage : IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private GetSubject.Details? _details;
    private List<BreadcrumbItem> _crumbs = [];
    private CurrentUser? _user;
    private DateTimeOffset _now;

    [Inject]
    private GetSubject GetSubject { get; set; } = default!;

    [Inject]
    private SubjectNotes Notes { get; set; } = default!;

    [Inject]
    private SubjectAbsences Absences { get; set; } = default!;

    [Inject]
    private LiveClient Live { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    [Inject]
    private Features.Subjects.RecordView Views { get; set; } = default!;

    [Inject]
    private AccessRefusals Refusals { get; set; } = default!;

    [Parameter]
    public Guid Id { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        _user = CurrentUser.From((await AuthState).User);
        await LoadAsync();
        if (_details is null)
        {
            // Outside the caseload looks the same as not existing; only the auditors learn of the attempt.
            if (_user is not null)
            {
                await Refusals.OutOfScopeAsync(_user, AccessRefusals.Record.Subject, Id, "the subject page", CancellationToken.None);
            }

            Navigation.NotFound();
            return;
        }

        _crumbs = [new BreadcrumbItem("Subjects", "/subjects"), new BreadcrumbItem(_details.Name, null, disabled: true)];
        if (RendererInfo.IsInteractive && _subscriptions.Count == 0)
        {
            await Views.HandleAsync(_user!, Id, "the subject page", CancellationToken.None);
            _subscriptions.Add(Live.OnCheckInReceived(m => Mine(m.SubjectId)));
            _subscriptions.Add(Live.OnAlertRaised(m => Mine(m.SubjectId)));
            _subscriptions.Add(Live.OnAlertChanged(m => Mine(m.SubjectId)));
            _subscriptions.Add(Live.OnBreachChanged(m => Mine(m.SubjectId)));
            _subscriptions.Add(Live.OnReviewChanged(m => Mine(m.SubjectId)));
            _subscriptions.Add(Live.OnDeviceStatusChanged(m => Mine(m.SubjectId)));
            await Live.StartAsync(CancellationToken.None);
        }
    }

    private Task Mine(Guid subjectId) => subjectId == Id ? InvokeAsync(ReloadAsync) : Task.CompletedTask;

    private async Task LoadAsync()
    {
        _now = Clock.GetUtcNow();
        _details = _user is null ? null : await GetSubject.HandleAsync(Id, _user, CancellationToken.None);
    }

    private async Task ReloadAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    private string Age(DateTimeOffset? at)
    {
        if (at is not { } t)
        {
            return "";
        }

        var age = _now - t;
        return age < TimeSpan.FromMinutes(1) ? " (just now)"
            : age < TimeSpan.FromHours(1) ? $" ({(int)age.TotalMinutes} min ago)"
            : age < TimeSpan.FromDays(2) ? $" ({(int)age.TotalHours} h ago)"
            : $" ({(int)age.TotalDays} days ago)";
    }

    private async Task<string?> AddNoteAsync((string Text, Guid? Corrects) note) =>
        await ShowAsync(_user is null ? null : await Notes.AddAsync(Id, note.Text, note.Corrects, _user, CancellationToken.None), "Note added.");

    private async Task<string?> EditNoteAsync((Guid NoteId, string Text) edit) =>
        await ShowAsync(_user is null ? null : await Notes.EditAsync(edit.NoteId, edit.Text, _user, CancellationToken.None), "Note saved.");

    private async Task<string?> RecordAbsenceAsync(AbsencesPanel.Draft draft) =>
        await ShowAsync(_user is null ? null : await Absences.RecordAsync(Id, draft.From, draft.To, draft.Reason, _user, CancellationToken.None), "Absence recorded.");

    private async Task<string?> CancelAbsenceAsync(Guid absenceId) =>
        await ShowAsync(_user is null ? null : await Absences.CancelAsync(absenceId, _user, CancellationToken.None), "Absence cancelled.");

    /// <summary>Reloads after a change; returns the refusal to show beside the form, or null when done.</summary>
    private async Task<string?> ShowAsync(ActionResult? result, string done)
    {
        switch (result)
        {
            case ActionResult.Done:
                Snackbar.Add(done, Severity.Success);
                await ReloadAsync();
                return null;
            case ActionResult.Refused refused:
                return refused.Message;
            default:
                return "This person is not in your caseload.";
        }
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }
}
