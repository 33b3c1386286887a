using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Security;

namespace Dashboard.Features.Alerts;

/// <summary>
/// A reasonable excuse recorded on an alert (the person was in A&amp;E, the bus broke down): the alert stays
/// on record, in whatever state it is, but no longer counts in the subject's violations.
/// </summary>
public sealed class RecordExcuse(AlertActions actions)
{
    public sealed record Command(Guid AlertId, string? Excuse, uint? Version = null);

    public Task<ActionResult> HandleAsync(Command command, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        var excuse = AlertActions.Clean(command.Excuse);
        return actions.ApplyAsync([new(command.AlertId, command.Version)], user, "Auditors can read alerts but not record an excuse.", null,
            (alert, now) =>
            {
                if (AlertRules.Check(alert.State, AlertAction.RecordExcuse, excuse, alert.ReasonableExcuse is not null) is { } refusal)
                {
                    return (refusal, "", "");
                }

                alert.ReasonableExcuse = excuse;
                alert.ExcuseBy = user.Id;
                alert.ExcuseAt = now;
                return (null, "alert-excuse-recorded", $"Reasonable excuse recorded on {AlertRules.Describe(alert.Kind).ToLowerInvariant()}: {excuse}");
            },
            ct);
    }
}
