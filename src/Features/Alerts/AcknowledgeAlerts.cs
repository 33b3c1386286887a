using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Security;

namespace Dashboard.Features.Alerts;

/// <summary>
/// An officer acknowledges one alert, or several at once: "I have seen these and I am on it". Bulk
/// acknowledgement is for the officer's own caseload only; anyone else's alerts are acknowledged one at a
/// time, so that nobody clears a colleague's list without looking. All or nothing.
/// </summary>
public sealed class AcknowledgeAlerts(AlertActions actions)
{
    public sealed record Command(IReadOnlyList<AlertActions.Target> Alerts);

    public Task<ActionResult> HandleAsync(Command command, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        return actions.ApplyAsync(command.Alerts, user, "Auditors can read alerts but not acknowledge them.",
            loaded => loaded.Count > 1 && loaded.Any(l => l.OfficerId != user.Id)
                ? new Refusal("Bulk acknowledge is for your own caseload: acknowledge other caseloads' alerts one at a time.")
                : null,
            (alert, now) =>
            {
                if (AlertRules.Check(alert.State, AlertAction.Acknowledge) is { } refusal)
                {
                    return (refusal, "", "");
                }

                alert.State = AlertRules.After(AlertAction.Acknowledge, alert.State);
                alert.AcknowledgedBy = user.Id;
                alert.AcknowledgedAt = now;
                return (null, "alert-acknowledged", $"{AlertRules.Describe(alert.Kind)} acknowledged.");
            },
            ct);
    }
}
