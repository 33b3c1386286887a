namespace Dashboard.Domain;

/// <summary>
/// The thresholds a check-in is judged by. Every check-in stores the version and the values
/// that classified it, so the screen can always say why it got its outcome.
/// </summary>
public sealed record MatchingPolicy(
    int Version,
    double AcceptMatch,
    double RejectMatch,
    double AcceptLiveness,
    double RejectLiveness)
{
    public static MatchingPolicy Default { get; } = new(1, 0.80, 0.50, 0.70, 0.30);

    /// <summary>
    /// Verified needs both scores at or above their accept thresholds; Failed needs either score
    /// below its reject threshold; everything between goes to a person.
    /// </summary>
    public CheckInOutcome Classify(double matchScore, double livenessScore)
    {
        if (matchScore < RejectMatch || livenessScore < RejectLiveness)
        {
            return CheckInOutcome.Failed;
        }

        return matchScore >= AcceptMatch && livenessScore >= AcceptLiveness
            ? CheckInOutcome.Verified
            : CheckInOutcome.Borderline;
    }

    /// <summary>Why the outcome is what it is, in words an officer can repeat at a hearing.</summary>
    public string Explain(double matchScore, double livenessScore) => Classify(matchScore, livenessScore) switch
    {
        CheckInOutcome.Verified =>
            $"Match {matchScore:0.00} ≥ {AcceptMatch:0.00} and liveness {livenessScore:0.00} ≥ {AcceptLiveness:0.00} (policy v{Version}).",
        CheckInOutcome.Failed when matchScore < RejectMatch =>
            $"Match {matchScore:0.00} < reject threshold {RejectMatch:0.00} (policy v{Version}).",
        CheckInOutcome.Failed =>
            $"Liveness {livenessScore:0.00} < reject threshold {RejectLiveness:0.00} (policy v{Version}).",
        _ =>
            $"Match {matchScore:0.00} and liveness {livenessScore:0.00} fall between the reject ({RejectMatch:0.00}/{RejectLiveness:0.00}) and accept ({AcceptMatch:0.00}/{AcceptLiveness:0.00}) thresholds (policy v{Version}): a person decides.",
    };
}
