using Dashboard.Domain;

namespace Dashboard.Tests.Oversight;

public class MonitoringReviewRulesTests
{
    private static readonly DateOnly Today = new(2026, 11, 27);
    private static readonly ConditionFinding[] AllNecessary = [.. MonitoringReviewRules.Conditions.Select(c => new ConditionFinding(c, true, null))];

    private static Refusal? Record(StaffRole role = StaffRole.Officer, ConditionFinding[]? findings = null, MonitoringReviewOutcome outcome = MonitoringReviewOutcome.Continue,
        string? reasons = "Compliant; risk unchanged.", DateOnly? next = null) =>
        MonitoringReviewRules.CanRecord(role, findings ?? AllNecessary, outcome, reasons, next ?? Today.AddMonths(3), Today, 3);

    [Fact]
    public void An_auditor_cannot_record_a_review()
    {
        Assert.Equal("Only officers and supervisors record monitoring reviews.", Record(StaffRole.Auditor)?.Message);
    }

    [Fact]
    public void Every_condition_must_be_answered()
    {
        Assert.Equal("Say whether each condition is still necessary: location monitoring not answered.", Record(findings: AllNecessary[..2])?.Message);
    }

    [Fact]
    public void A_condition_no_longer_necessary_cannot_simply_continue()
    {
        ConditionFinding[] findings = [AllNecessary[0] with { StillNecessary = false }, .. AllNecessary[1..]];

        Assert.Equal("A condition that is no longer necessary cannot simply continue: choose vary or end.", Record(findings: findings)?.Message);
        Assert.Null(Record(findings: findings, outcome: MonitoringReviewOutcome.Vary));
    }

    [Fact]
    public void The_outcome_needs_reasons_and_the_next_review_a_date_within_the_interval()
    {
        Assert.Equal("Give the reasons for the outcome (at least 10 characters).", Record(reasons: "ok")?.Message);
        Assert.Equal("The next review must be due after today.", Record(next: Today)?.Message);
        Assert.Equal("The next review must be due within 3 months.", Record(next: Today.AddMonths(3).AddDays(1))?.Message);
        Assert.Null(Record(next: Today.AddDays(14)));
        Assert.Null(Record(StaffRole.Supervisor));
    }

    [Fact]
    public void A_review_is_overdue_after_its_due_date_and_due_soon_within_the_warning_days()
    {
        Assert.Equal(MonitoringReviewStatus.Overdue, MonitoringReviewRules.Status(Today.AddDays(-1), Today, 14));
        Assert.Equal(MonitoringReviewStatus.DueSoon, MonitoringReviewRules.Status(Today, Today, 14));
        Assert.Equal(MonitoringReviewStatus.DueSoon, MonitoringReviewRules.Status(Today.AddDays(14), Today, 14));
        Assert.Equal(MonitoringReviewStatus.NotDue, MonitoringReviewRules.Status(Today.AddDays(15), Today, 14));
        Assert.Equal(new DateOnly(2027, 2, 27), MonitoringReviewRules.NextDue(Today, 3));
    }
}
