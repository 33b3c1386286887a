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

    /// <summary>A borderline check-in should be decided within this many minutes (default two hours).</summary>
    [Range(5, 7 * 24 * 60)]
    public int DeadlineMinutes { get; set; } = 120;

    /// <summary>How long opening a check-in for review holds it for the reviewer (default ten minutes).</summary>
    [Range(1, 120)]
    public int ClaimMinutes { get; set; } = 10;

    /// <summary>How soon after "cannot tell" the device is asked for a fresh check-in.</summary>
    [Range(0, 15)]
    public int RepromptAfterMinutes { get; set; } = 1;
}
