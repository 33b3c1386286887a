using Dashboard.Domain;

namespace Dashboard.Tests.Domain;

public class ReviewRulesTests
{
    private static readonly Guid Me = Guid.NewGuid();
    private static readonly Guid Other = Guid.NewGuid();
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_claim_held_by_someone_else_refuses_a_claim_with_their_name()
    {
        var state = new ReviewState(Other, Now.AddMinutes(5), null);

        Assert.Equal("Ben Okafor is reviewing this check-in.", ReviewRules.CanClaim(state, Me, Now, "Ben Okafor")?.Message);
    }

    [Fact]
    public void An_expired_claim_can_be_taken_over()
    {
        Assert.Null(ReviewRules.CanClaim(new ReviewState(Other, Now.AddSeconds(-1), null), Me, Now));
    }

    [Fact]
    public void A_decided_review_cannot_be_claimed_or_decided_again()
    {
        var decided = new ReviewState(Me, Now.AddMinutes(5), ReviewDecision.CannotTell);

        Assert.Equal("This check-in has already been decided.", ReviewRules.CanClaim(decided, Me, Now)?.Message);
        Assert.Equal("This check-in has already been decided.", ReviewRules.CanDecide(decided, Me, Now, ReviewDecision.NotSamePerson, "x")?.Message);
    }

    [Fact]
    public void Only_the_holder_of_a_live_claim_decides()
    {
        Assert.StartsWith("Ben Okafor is reviewing", ReviewRules.CanDecide(new ReviewState(Other, Now.AddMinutes(1), null), Me, Now, ReviewDecision.SamePersonNoConcern, null, "Ben Okafor")?.Message, StringComparison.Ordinal);
        Assert.StartsWith("Open the check-in for review", ReviewRules.CanDecide(new ReviewState(null, null, null), Me, Now, ReviewDecision.SamePersonNoConcern, null)?.Message, StringComparison.Ordinal);
        Assert.StartsWith("Open the check-in for review", ReviewRules.CanDecide(new ReviewState(Me, Now, null), Me, Now, ReviewDecision.SamePersonNoConcern, null)?.Message, StringComparison.Ordinal);
        Assert.Null(ReviewRules.CanDecide(new ReviewState(Me, Now.AddMinutes(1), null), Me, Now, ReviewDecision.SamePersonNoConcern, null));
    }

    [Theory]
    [InlineData(ReviewDecision.SamePersonWithConcern)]
    [InlineData(ReviewDecision.NotSamePerson)]
    [InlineData(ReviewDecision.CannotTell)]
    public void Every_decision_but_same_person_without_concern_needs_a_reason(ReviewDecision decision)
    {
        var claimed = new ReviewState(Me, Now.AddMinutes(1), null);

        Assert.Equal("Give a reason for this decision.", ReviewRules.CanDecide(claimed, Me, Now, decision, "  ")?.Message);
        Assert.Null(ReviewRules.CanDecide(claimed, Me, Now, decision, "Different jaw line and hair colour."));
    }

    [Theory]
    [InlineData(ReviewDecision.SamePersonNoConcern, null, true, false)]
    [InlineData(ReviewDecision.SamePersonWithConcern, AlertKind.WelfareConcern, false, false)]
    [InlineData(ReviewDecision.NotSamePerson, AlertKind.IdentityNotVerified, false, false)]
    [InlineData(ReviewDecision.CannotTell, null, false, true)]
    public void Each_decision_has_its_consequence_and_none_is_a_breach(ReviewDecision decision, AlertKind? alert, bool deletePhoto, bool reprompt)
    {
        Assert.Equal((alert, deletePhoto, reprompt), ReviewRules.Consequences(decision));
    }
}
