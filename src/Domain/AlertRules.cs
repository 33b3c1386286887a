namespace Dashboard.Domain;

/// <summary>Why an alert or breach action was refused, in words for the person who tried it.</summary>
public sealed record Refusal(string Message);

/// <summary>What a person can do to an alert.</summary>
public enum AlertAction
{
    Acknowledge,
    Dismiss,
    ProposeBreach,
    /// <summary>A proposed breach was rejected or withdrawn: the alert is back in the officer's hands.</summary>
    ReturnFromBreach,
    /// <summary>The condition cleared by itself (device incidents).</summary>
    Close,
    RecordExcuse,
}

/// <summary>
/// The alert state machine of DESIGN.md: <c>Open -> Acknowledged -> Dismissed (reason) | BreachProposed</c>,
/// plus <c>Covered</c> (raised inside an authorised absence) and <c>Closed</c> (a device condition that
/// cleared). Machines raise alerts; people move them on.
/// </summary>
public static class AlertRules
{
    public const int MaxReasonLength = 2000;

    /// <summary>An alert a person still has to deal with; a repeat of its episode joins it.</summary>
    public static bool IsActive(AlertState state) => state is AlertState.Open or AlertState.Acknowledged;

    /// <summary>Device conditions that group into one incident per episode and close themselves.</summary>
    public static bool IsDeviceIncidentKind(AlertKind kind) => kind is AlertKind.DeviceOffline or AlertKind.NoGpsFix;

    /// <summary>Kinds an authorised absence covers: the person was allowed to be elsewhere or busy.</summary>
    public static bool IsCoverableByAbsence(AlertKind kind) =>
        kind is AlertKind.MissedCheckIn or AlertKind.ExclusionZoneEntered or AlertKind.InclusionZoneLeft;

    public static Refusal? Check(AlertState state, AlertAction action, string? reason = null, bool hasExcuse = false)
    {
        var text = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (text is { Length: > MaxReasonLength })
        {
            return new Refusal($"Keep the reason under {MaxReasonLength:N0} characters.");
        }

        return (action, state) switch
        {
            (AlertAction.Acknowledge, AlertState.Open) => null,
            (AlertAction.Acknowledge, AlertState.Acknowledged) => new Refusal("This alert has already been acknowledged."),
            (AlertAction.Dismiss, AlertState.Open or AlertState.Acknowledged) when text is null =>
                new Refusal("Give a reason for dismissing this alert."),
            (AlertAction.Dismiss, AlertState.Open or AlertState.Acknowledged) => null,
            (AlertAction.ProposeBreach, AlertState.Open or AlertState.Acknowledged) => null,
            (AlertAction.ReturnFromBreach, AlertState.BreachProposed) => null,
            (AlertAction.Close, AlertState.Open or AlertState.Acknowledged) => null,
            (AlertAction.RecordExcuse, AlertState.Covered) => new Refusal("This alert was covered by an authorised absence: no excuse is needed."),
            (AlertAction.RecordExcuse, _) when hasExcuse => new Refusal("A reasonable excuse is already recorded on this alert."),
            (AlertAction.RecordExcuse, _) when text is null => new Refusal("Describe the reasonable excuse."),
            (AlertAction.RecordExcuse, _) => null,
            (_, AlertState.Dismissed) => new Refusal("This alert has been dismissed."),
            (_, AlertState.BreachProposed) => new Refusal("This alert is part of a proposed breach."),
            (_, AlertState.Covered) => new Refusal("This alert was covered by an authorised absence."),
            (_, AlertState.Closed) => new Refusal("This alert closed itself when the condition cleared."),
            _ => new Refusal("This alert cannot be changed that way."),
        };
    }

    public static AlertState After(AlertAction action, AlertState state) => action switch
    {
        AlertAction.Acknowledge => AlertState.Acknowledged,
        AlertAction.Dismiss => AlertState.Dismissed,
        AlertAction.ProposeBreach => AlertState.BreachProposed,
        AlertAction.ReturnFromBreach => AlertState.Acknowledged,
        AlertAction.Close => AlertState.Closed,
        AlertAction.RecordExcuse => state,
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    /// <summary>
    /// Whether an alert counts against the person: dismissed, covered and self-closed alerts do not, nor
    /// does one with a reasonable excuse on record.
    /// </summary>
    public static bool CountsAsViolation(AlertState state, bool hasExcuse) =>
        !hasExcuse && state is AlertState.Open or AlertState.Acknowledged or AlertState.BreachProposed;

    public static string Describe(AlertKind kind) => kind switch
    {
        AlertKind.MissedCheckIn => "Missed check-in",
        AlertKind.IdentityNotVerified => "Identity not verified",
        AlertKind.WelfareConcern => "Welfare concern",
        AlertKind.ExclusionZoneEntered => "Exclusion zone entered",
        AlertKind.InclusionZoneLeft => "Curfew zone left",
        AlertKind.DeviceTamper => "Device tamper",
        AlertKind.DeviceOffline => "Device offline",
        AlertKind.LowBattery => "Low battery",
        AlertKind.NoGpsFix => "No GPS fix",
        _ => kind.ToString(),
    };

    /// <summary>The state in words; an alert in a breach that was decided says how it was decided.</summary>
    public static string Describe(AlertState state, BreachState? breach) =>
        state == AlertState.BreachProposed && breach is { } decided && decided != BreachState.Proposed
            ? "Breach " + decided.ToString().ToLowerInvariant()
            : Describe(state);

    public static string Describe(AlertState state) => state switch
    {
        AlertState.Open => "Open",
        AlertState.Acknowledged => "Acknowledged",
        AlertState.Dismissed => "Dismissed",
        AlertState.BreachProposed => "Breach proposed",
        AlertState.Covered => "Covered by absence",
        AlertState.Closed => "Cleared",
        _ => state.ToString(),
    };
}

/// <summary>What a person can do to a breach.</summary>
public enum BreachAction
{
    Confirm,
    Reject,
    Withdraw,
}

/// <summary>Who is acting on a breach, and on whose caseload.</summary>
public sealed record BreachActor(Guid Id, StaffRole Role, Guid? TeamId);

/// <summary>
/// The breach workflow: <c>Proposed -> Confirmed | Rejected (reason)</c>, or withdrawn by its proposer
/// before a decision. Only people make breaches, and two different people are needed to confirm one:
/// the confirmer is a supervisor of the subject's team and not the proposer.
/// </summary>
public static class BreachRules
{
    public const int MaxSummaryLength = 4000;
    public const int MaxReasonLength = 4000;

    /// <summary>Proposing a breach from alerts: all of one subject, all still with a person, with a summary.</summary>
    public static Refusal? CanPropose(BreachActor actor, IReadOnlyCollection<(Guid SubjectId, AlertState State)> alerts, string? summary)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(alerts);
        if (actor.Role is not (StaffRole.Officer or StaffRole.Supervisor))
        {
            return new Refusal("Only officers and supervisors can propose a breach.");
        }

        if (alerts.Count == 0)
        {
            return new Refusal("Select at least one alert.");
        }

        if (alerts.Select(a => a.SubjectId).Distinct().Count() > 1)
        {
            return new Refusal("A breach is about one person: select alerts of the same subject.");
        }

        if (alerts.Where(a => !AlertRules.IsActive(a.State)).Select(a => (AlertState?)a.State).FirstOrDefault() is { } closed)
        {
            return new Refusal($"An alert that is {AlertRules.Describe(closed).ToLowerInvariant()} cannot become evidence of a new breach.");
        }

        if (string.IsNullOrWhiteSpace(summary))
        {
            return new Refusal("Write a summary of the breach.");
        }

        return summary.Trim().Length > MaxSummaryLength ? new Refusal($"Keep the summary under {MaxSummaryLength:N0} characters.") : null;
    }

    public static Refusal? Check(BreachState state, BreachAction action, BreachActor actor, Guid proposedBy, Guid? subjectTeamId, string? reason)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (state != BreachState.Proposed)
        {
            return new Refusal(state switch
            {
                BreachState.Confirmed => "This breach has already been confirmed.",
                BreachState.Rejected => "This breach has already been rejected.",
                BreachState.Withdrawn => "This breach was withdrawn by its proposer.",
                _ => "This breach has already been decided.",
            });
        }

        if (action == BreachAction.Withdraw)
        {
            if (actor.Id != proposedBy)
            {
                return new Refusal("Only the person who proposed this breach can withdraw it.");
            }
        }
        else
        {
            if (actor.Role != StaffRole.Supervisor)
            {
                return new Refusal("Only a supervisor can confirm or reject a breach.");
            }

            if (actor.TeamId is null || actor.TeamId != subjectTeamId)
            {
                return new Refusal("Only a supervisor of this person's team can decide this breach.");
            }

            if (actor.Id == proposedBy)
            {
                return new Refusal("You proposed this breach: another supervisor must decide it (four-eyes rule).");
            }
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return new Refusal(action switch
            {
                BreachAction.Confirm => "Give a reason for confirming this breach.",
                BreachAction.Reject => "Give a reason for rejecting this breach.",
                _ => "Give a reason for withdrawing this breach.",
            });
        }

        return reason.Trim().Length > MaxReasonLength ? new Refusal($"Keep the reason under {MaxReasonLength:N0} characters.") : null;
    }

    public static BreachState After(BreachAction action) => action switch
    {
        BreachAction.Confirm => BreachState.Confirmed,
        BreachAction.Reject => BreachState.Rejected,
        BreachAction.Withdraw => BreachState.Withdrawn,
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    /// <summary>What happens to the breach's alerts: a confirmed breach keeps them; otherwise they return to the officer.</summary>
    public static AlertAction? AlertsAfter(BreachAction action) => action == BreachAction.Confirm ? null : AlertAction.ReturnFromBreach;

    public static string FormatNumber(int year, long sequence) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"B-{year}-{sequence:D6}");
}
