namespace Dashboard.Domain;

/// <summary>Where a review of a borderline check-in stands.</summary>
public sealed record ReviewState(
    Guid? ClaimedBy,
    DateTimeOffset? ClaimedUntil,
    ReviewDecision? Decision);

/// <summary>Why a review action was refused, in words for the person who tried it.</summary>
public sealed record ReviewRefusal(string Message);

/// <summary>
/// The rules of reviewing a borderline check-in: one reviewer at a time (a claim that expires), one
/// decision ever, and a reason for every decision but "same person, nothing of concern".
/// </summary>
public static class ReviewRules
{
    public static bool IsClaimedByOther(ReviewState state, Guid user, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.ClaimedBy is { } holder && holder != user && state.ClaimedUntil > now;
    }

    public static ReviewRefusal? CanClaim(ReviewState state, Guid user, DateTimeOffset now, string? holderName = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Decision is not null)
        {
            return new ReviewRefusal("This check-in has already been decided.");
        }

        return IsClaimedByOther(state, user, now)
            ? new ReviewRefusal($"{holderName ?? "Another reviewer"} is reviewing this check-in.")
            : null;
    }

    public static ReviewRefusal? CanDecide(ReviewState state, Guid user, DateTimeOffset now, ReviewDecision decision, string? reason, string? holderName = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Decision is not null)
        {
            return new ReviewRefusal("This check-in has already been decided.");
        }

        if (IsClaimedByOther(state, user, now))
        {
            return new ReviewRefusal($"{holderName ?? "Another reviewer"} is reviewing this check-in: only they can decide it while their claim lasts.");
        }

        if (state.ClaimedBy != user || state.ClaimedUntil <= now)
        {
            return new ReviewRefusal("Open the check-in for review before deciding: your claim has expired or was never made.");
        }

        if (decision != ReviewDecision.SamePersonNoConcern && string.IsNullOrWhiteSpace(reason))
        {
            return new ReviewRefusal("Give a reason for this decision.");
        }

        return null;
    }

    /// <summary>What each decision leads to: no decision ever creates a breach.</summary>
    public static (AlertKind? Alert, bool DeletePhoto, bool Reprompt) Consequences(ReviewDecision decision) => decision switch
    {
        ReviewDecision.SamePersonNoConcern => (null, true, false),
        ReviewDecision.SamePersonWithConcern => (AlertKind.WelfareConcern, false, false),
        ReviewDecision.NotSamePerson => (AlertKind.IdentityNotVerified, false, false),
        ReviewDecision.CannotTell => (null, false, true),
        _ => throw new ArgumentOutOfRangeException(nameof(decision)),
    };

    public static string Describe(ReviewDecision decision) => decision switch
    {
        ReviewDecision.SamePersonNoConcern => "Same person, nothing of concern",
        ReviewDecision.SamePersonWithConcern => "Same person, with a visible concern",
        ReviewDecision.NotSamePerson => "Not the same person",
        ReviewDecision.CannotTell => "Cannot tell",
        _ => decision.ToString(),
    };
}
