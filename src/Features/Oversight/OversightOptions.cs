using System.ComponentModel.DataAnnotations;

namespace Dashboard.Features.Oversight;

/// <summary>The <c>Oversight</c> section: how often each person's monitoring is reviewed.</summary>
public sealed class OversightOptions
{
    public const string Section = "Oversight";

    /// <summary>Months between proportionality reviews (the next due date a review proposes).</summary>
    [Range(1, 12)]
    public int ReviewIntervalMonths { get; set; } = 3;

    /// <summary>A review counts as due this many days before its due date.</summary>
    [Range(0, 60)]
    public int ReviewDueSoonDays { get; set; } = 14;
}
