using System.ComponentModel.DataAnnotations;

namespace Dashboard.Features.Reviews;

/// <summary>The <c>Reviews</c> section: how long photos behind a decision are kept.</summary>
public sealed class ReviewOptions
{
    public const string Section = "Reviews";

    /// <summary>Photos behind a "same person, with a visible concern" decision (default six years).</summary>
    [Range(1, 36500)]
    public int ConcernPhotoRetentionDays { get; set; } = 6 * 365;

    /// <summary>Photos behind a "not the same person" decision (default 28 days), unless evidence in a breach.</summary>
    [Range(1, 36500)]
    public int NotSamePersonPhotoRetentionDays { get; set; } = 28;

    /// <summary>How soon after "cannot tell" the device is asked for a fresh check-in.</summary>
    [Range(0, 15)]
    public int RepromptAfterMinutes { get; set; } = 1;
}
