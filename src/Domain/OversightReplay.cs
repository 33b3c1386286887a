namespace Dashboard.Domain;

/// <summary>
/// One group of past check-ins, as the replay query counts them: the device model, the London hour of
/// capture, the outcome they got, the outcome the proposed thresholds would give, and the reviewer's
/// decision if a reviewer decided them.
/// </summary>
public sealed record ReplayCell(string DeviceModel, int Hour, CheckInOutcome From, CheckInOutcome To, ReviewDecision? Decision, long Count);

/// <summary>One past check-in, for the reference replay that the query must agree with.</summary>
public sealed record ReplayItem(string DeviceModel, DateTimeOffset CapturedAt, double MatchScore, double LivenessScore, CheckInOutcome Outcome, ReviewDecision? Decision);

/// <summary>Check-ins moved from one outcome to another.</summary>
public sealed record ReplayTransition(CheckInOutcome From, CheckInOutcome To, long Count);

/// <summary>
/// A group's check-ins: how many there were, how many the proposal moves, and how many of those it makes
/// stricter (verified to borderline or failed, borderline to failed) or more lenient.
/// </summary>
public sealed record ReplayGroup(string Key, long Total, long Moved, long Stricter, long Lenient);

/// <summary>Past reviewer decisions the proposed band would contradict.</summary>
/// <param name="Decided">Reviewer decisions in the period.</param>
/// <param name="SamePersonNowFailed">A reviewer said "same person" (with or without concern) and the proposal would fail the check-in.</param>
/// <param name="NotSamePersonNowVerified">A reviewer said "not the same person" and the proposal would verify the check-in without review.</param>
public sealed record ReplayContradictions(long Decided, long SamePersonNowFailed, long NotSamePersonNowVerified)
{
    public long Total => SamePersonNowFailed + NotSamePersonNowVerified;
}

/// <summary>What a what-if replay found: the figures the proposer sees and the approver is shown again.</summary>
public sealed record ReplaySummary(
    DateTimeOffset From,
    DateTimeOffset To,
    ThresholdValues Proposed,
    long Total,
    long Moved,
    IReadOnlyList<ReplayTransition> Transitions,
    IReadOnlyList<ReplayGroup> ByDeviceModel,
    IReadOnlyList<ReplayGroup> ByHour,
    ReplayContradictions Contradictions,
    DateTimeOffset RanAt);

/// <summary>
/// The arithmetic of a what-if replay. The database counts the check-ins of a period into cells (one
/// aggregate query); <see cref="Summarise"/> turns the cells into the summary. <see cref="Cells"/> is the
/// same counting done item by item, so the query can be checked against it.
/// </summary>
public static class ThresholdReplay
{
    /// <summary>The outcomes a replay can move between: missed check-ins have no scores to judge.</summary>
    public static readonly CheckInOutcome[] Judged = [CheckInOutcome.Verified, CheckInOutcome.Borderline, CheckInOutcome.Failed];

    /// <summary>Counts items into cells as the replay query does: by model, London hour, outcome, new outcome and decision.</summary>
    public static IReadOnlyList<ReplayCell> Cells(IEnumerable<ReplayItem> items, ThresholdValues proposed, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(proposed);
        ArgumentNullException.ThrowIfNull(zone);
        var policy = proposed.AsPolicy(0);
        return [.. items
            .Where(i => i.Outcome != CheckInOutcome.Missed)
            .GroupBy(i => (i.DeviceModel, TimeZoneInfo.ConvertTime(i.CapturedAt, zone).Hour, i.Outcome, To: policy.Classify(i.MatchScore, i.LivenessScore), i.Decision))
            .Select(g => new ReplayCell(g.Key.DeviceModel, g.Key.Hour, g.Key.Outcome, g.Key.To, g.Key.Decision, g.LongCount()))];
    }

    public static ReplaySummary Summarise(IEnumerable<ReplayCell> cells, DateTimeOffset from, DateTimeOffset to, ThresholdValues proposed, DateTimeOffset ranAt)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var all = cells.Where(c => c.From != CheckInOutcome.Missed && c.Count > 0).ToList();
        var transitions = (from f in Judged
                           from t in Judged
                           select new ReplayTransition(f, t, all.Where(c => c.From == f && c.To == t).Sum(c => c.Count))).ToList();
        var byModel = all.GroupBy(c => c.DeviceModel).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Group(g.Key, g)).ToList();
        var byHour = Enumerable.Range(0, 24)
            .Select(h => Group(h.ToString("00", System.Globalization.CultureInfo.InvariantCulture), all.Where(c => c.Hour == h)))
            .ToList();
        var decided = all.Where(c => c.Decision is not null).ToList();
        var contradictions = new ReplayContradictions(
            decided.Sum(c => c.Count),
            decided.Where(c => c.Decision is ReviewDecision.SamePersonNoConcern or ReviewDecision.SamePersonWithConcern && c.To == CheckInOutcome.Failed).Sum(c => c.Count),
            decided.Where(c => c.Decision == ReviewDecision.NotSamePerson && c.To == CheckInOutcome.Verified).Sum(c => c.Count));
        return new ReplaySummary(from, to, proposed, all.Sum(c => c.Count), all.Where(Moves).Sum(c => c.Count),
            transitions, byModel, byHour, contradictions, ranAt);
    }

    /// <summary>Whether the new outcome is worse for the person than the old (verified, borderline, failed in that order).</summary>
    public static bool Stricter(CheckInOutcome from, CheckInOutcome to) => Rank(to) > Rank(from);

    private static bool Moves(ReplayCell c) => c.From != c.To;

    private static ReplayGroup Group(string key, IEnumerable<ReplayCell> cells)
    {
        long total = 0, moved = 0, stricter = 0;
        foreach (var c in cells)
        {
            total += c.Count;
            if (Moves(c))
            {
                moved += c.Count;
                stricter += Stricter(c.From, c.To) ? c.Count : 0;
            }
        }

        return new ReplayGroup(key, total, moved, stricter, moved - stricter);
    }

    private static int Rank(CheckInOutcome outcome) => outcome switch
    {
        CheckInOutcome.Verified => 0,
        CheckInOutcome.Borderline => 1,
        _ => 2,
    };
}
