namespace Dashboard.Features.Reviews;

/// <summary>The outcome of a review action, for the page to show.</summary>
public abstract record ReviewResult
{
    public sealed record Done : ReviewResult;

    /// <summary>The item is outside the user's scope or does not exist (the two look the same).</summary>
    public sealed record NotFound : ReviewResult;

    public sealed record Refused(string Message) : ReviewResult;
}
