namespace Dashboard.Features.Breaches;

/// <summary>The outcome of a breach or alert action, for the page to show.</summary>
public abstract record ActionResult
{
    /// <summary>Done; <paramref name="Id"/> is the breach created or changed, when there is one.</summary>
    public sealed record Done(Guid? Id = null, string? Number = null) : ActionResult;

    /// <summary>Outside the user's scope or does not exist (the two look the same).</summary>
    public sealed record NotFound : ActionResult;

    public sealed record Refused(string Message) : ActionResult;
}
