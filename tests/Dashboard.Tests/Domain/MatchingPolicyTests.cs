using Dashboard.Domain;

namespace Dashboard.Tests.Domain;

public class MatchingPolicyTests
{
    private static readonly MatchingPolicy Policy = MatchingPolicy.Default;

    [Theory]
    [InlineData(0.80, 0.70, CheckInOutcome.Verified)]    // both exactly at accept
    [InlineData(0.7999, 0.70, CheckInOutcome.Borderline)] // match just under accept
    [InlineData(0.80, 0.6999, CheckInOutcome.Borderline)] // liveness just under accept
    [InlineData(0.50, 0.30, CheckInOutcome.Borderline)]   // both exactly at reject: not failed
    [InlineData(0.4999, 0.99, CheckInOutcome.Failed)]     // match just under reject
    [InlineData(0.99, 0.2999, CheckInOutcome.Failed)]     // liveness just under reject
    [InlineData(1.0, 1.0, CheckInOutcome.Verified)]
    [InlineData(0.0, 0.0, CheckInOutcome.Failed)]
    public void Outcome_follows_the_thresholds_at_their_boundaries(double match, double liveness, CheckInOutcome expected)
    {
        Assert.Equal(expected, Policy.Classify(match, liveness));
    }

    [Fact]
    public void The_explanation_names_the_threshold_and_the_policy_version()
    {
        var why = new MatchingPolicy(3, 0.85, 0.55, 0.7, 0.3).Explain(0.52, 0.9);

        Assert.Equal("Match 0.52 < reject threshold 0.55 (policy v3).", why);
    }

    [Fact]
    public void A_borderline_explanation_says_a_person_decides()
    {
        Assert.EndsWith("a person decides.", Policy.Explain(0.7, 0.9), StringComparison.Ordinal);
    }
}
