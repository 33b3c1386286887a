using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Security;

namespace Dashboard.Features.Alerts;

/// <summary>Dismissing an alert needs a reason, which stays on the alert and in the audit log.</summary>
public sealed class DismissAlert(AlertActions actions)
{
    public sealed record Command(Guid AlertId, string? Reason, uint? Version = null);

    public Task<ActionResult> HandleAsync(Command command, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        var reason = AlertActions.Clean(command.Reason);
        return actions.ApplyAsync([new(command.AlertId, command.Version)], user, "Auditors can read alerts but not dismiss them.", null,
            (alert, now) =>
            {
                if (AlertRules.Check(alert.State, AlertAction.Dismiss, reason) is { } refusal)
                {
                    return (refusal, "", "");
                }

                alert.State = AlertRules.After(AlertAction.Dismiss, alert.State);
                alert.DismissedBy = user.Id;
                alert.DismissedAt = now;
                alert.DismissReason = reason;
                return (null, "alert-dismissed", $"{AlertRules.Describe(alert.Kind)} dismissed. Reason: {reason}");
            },
            ct);
    }
}
