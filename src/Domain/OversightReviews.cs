namespace Dashboard.Domain;

/// <summary>Where a person's periodic monitoring review stands on a given day.</summary>
public enum MonitoringReviewStatus
{
    NotDue,
    DueSoon,
    Overdue,
}

/// <summary>A condition of the monitoring, and whether the reviewer found it still necessary.</summary>
public sealed record ConditionFinding(string Condition, bool StillNecessary, string? Note);

/// <summary>
/// The rules of proportionality reviews: each person's monitoring is reviewed every few months; a review
/// answers for every condition whether it is still necessary, and its outcome carries reasons.
/// </summary>
public static class MonitoringReviewRules
{
    public const string Zones = "Zones";
    public const string PhotoCheckIns = "Photo check-ins";
    public const string LocationMonitoring = "Location monitoring";

    /// <summary>The conditions every review answers for.</summary>
    public static readonly string[] Conditions = [Zones, PhotoCheckIns, LocationMonitoring];

    public const int MinimumReasonsLength = 10;

    public static MonitoringReviewStatus Status(DateOnly dueOn, DateOnly today, int dueSoonDays) =>
        dueOn < today ? MonitoringReviewStatus.Overdue
        : dueOn <= today.AddDays(dueSoonDays) ? MonitoringReviewStatus.DueSoon
        : MonitoringReviewStatus.NotDue;

    /// <summary>The next due date a review proposes: the interval after the day of the review.</summary>
    public static DateOnly NextDue(DateOnly reviewedOn, int intervalMonths) => reviewedOn.AddMonths(intervalMonths);

    public static Refusal? CanRecord(
        StaffRole role,
        IReadOnlyCollection<ConditionFinding> findings,
        MonitoringReviewOutcome outcome,
        string? reasons,
        DateOnly nextDueOn,
        DateOnly today,
        int intervalMonths)
    {
        ArgumentNullException.ThrowIfNull(findings);
        if (role is not (StaffRole.Officer or StaffRole.Supervisor))
        {
            return new Refusal("Only officers and supervisors record monitoring reviews.");
        }

        var missing = Conditions.Where(c => !findings.Any(f => f.Condition == c)).ToList();
        if (missing.Count > 0)
        {
            return new Refusal($"Say whether each condition is still necessary: {string.Join(", ", missing).ToLowerInvariant()} not answered.");
        }

        if (findings.Any(f => !Conditions.Contains(f.Condition)))
        {
            return new Refusal("Only zones, photo check-ins and location monitoring are reviewed here.");
        }

        if (findings.Any(f => f.Note is { Length: > 1000 }))
        {
            return new Refusal("Keep each condition's note under 1,000 characters.");
        }

        if ((reasons?.Trim().Length ?? 0) < MinimumReasonsLength)
        {
            return new Refusal($"Give the reasons for the outcome (at least {MinimumReasonsLength} characters).");
        }

        if (reasons!.Trim().Length > 4000)
        {
            return new Refusal("Keep the reasons under 4,000 characters.");
        }

        if (outcome == MonitoringReviewOutcome.Continue && findings.Any(f => !f.StillNecessary))
        {
            return new Refusal("A condition that is no longer necessary cannot simply continue: choose vary or end.");
        }

        if (nextDueOn <= today)
        {
            return new Refusal("The next review must be due after today.");
        }

        return nextDueOn > NextDue(today, intervalMonths)
            ? new Refusal($"The next review must be due within {intervalMonths} months.")
            : null;
    }
}
