namespace Dashboard.Features.Oversight;

/// <summary>The outcome of an oversight action, for the page to show.</summary>
public abstract record OversightResult
{
    public sealed record Done(Guid? Id = null) : OversightResult;

    /// <summary>Outside the user's scope or does not exist (the two look the same).</summary>
    public sealed record NotFound : OversightResult;

    public sealed record Refused(string Message) : OversightResult;
}
