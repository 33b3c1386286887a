using System.ComponentModel.DataAnnotations;

namespace Dashboard.Domain;

/// <summary>
/// The <c>Matching</c> section: the thresholds of the first policy version. Later versions are
/// records in the database; check-ins keep the version that judged them.
/// </summary>
public sealed class MatchingOptions : IValidatableObject
{
    public const string Section = "Matching";

    [Range(0.0, 1.0)]
    public double AcceptMatch { get; set; } = MatchingPolicy.Default.AcceptMatch;

    [Range(0.0, 1.0)]
    public double RejectMatch { get; set; } = MatchingPolicy.Default.RejectMatch;

    [Range(0.0, 1.0)]
    public double AcceptLiveness { get; set; } = MatchingPolicy.Default.AcceptLiveness;

    [Range(0.0, 1.0)]
    public double RejectLiveness { get; set; } = MatchingPolicy.Default.RejectLiveness;

    /// <summary>Minutes a subject has to answer a prompt before it counts as missed.</summary>
    [Range(1, 240)]
    public int ResponseWindowMinutes { get; set; } = 15;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RejectMatch > AcceptMatch)
        {
            yield return new ValidationResult("RejectMatch must not exceed AcceptMatch.", [nameof(RejectMatch)]);
        }

        if (RejectLiveness > AcceptLiveness)
        {
            yield return new ValidationResult("RejectLiveness must not exceed AcceptLiveness.", [nameof(RejectLiveness)]);
        }
    }
}
