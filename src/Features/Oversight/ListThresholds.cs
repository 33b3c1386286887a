using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Oversight;

/// <summary>The threshold governance page's data: every policy version and every proposal, newest first.</summary>
public sealed class ListThresholds(IDbContextFactory<DashboardDb> dbFactory, TimeProvider clock)
{
    public sealed record VersionRow(int Version, ThresholdValues Values, DateTimeOffset EffectiveFrom, string Reason, string? ProposedBy, string? ApprovedBy, bool InForce);

    public sealed record ProposalRow(
        Guid Id,
        ThresholdValues Values,
        DateTimeOffset EffectiveFrom,
        string Reason,
        Guid ProposedById,
        string ProposedBy,
        DateTimeOffset ProposedAt,
        ProposalState State,
        string? DecidedBy,
        DateTimeOffset? DecidedAt,
        string? DecisionReason,
        int? PolicyVersion,
        ReplaySummary? Replay);

    public sealed record Result(IReadOnlyList<VersionRow> Versions, IReadOnlyList<ProposalRow> Proposals, ThresholdValues Current);

    /// <summary>Supervisors and auditors read the governance record; officers get nothing.</summary>
    public async Task<Result?> HandleAsync(CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Role is not (StaffRole.Supervisor or StaffRole.Auditor))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var names = await db.Staff.Select(s => new { s.Id, s.DisplayName }).ToDictionaryAsync(s => s.Id, s => s.DisplayName, ct);
        var versions = await db.PolicyVersions.AsNoTracking().OrderByDescending(v => v.EffectiveFrom).ThenByDescending(v => v.Version).ToListAsync(ct);
        var inForce = versions.FirstOrDefault(v => v.EffectiveFrom <= now)?.Version;
        var proposals = await db.ThresholdProposals.AsNoTracking().OrderByDescending(p => p.ProposedAt).Take(200).ToListAsync(ct);

        string? Name(Guid? id) => id is { } i ? names.GetValueOrDefault(i, "Unknown") : null;

        var current = versions.FirstOrDefault(v => v.Version == inForce) ?? versions.Last();
        return new Result(
            [.. versions.Select(v => new VersionRow(v.Version, ThresholdValues.Of(v.ToPolicy()), v.EffectiveFrom, v.Reason, Name(v.ProposedBy), Name(v.ApprovedBy), v.Version == inForce))],
            [.. proposals.Select(p => new ProposalRow(p.Id, new ThresholdValues(p.AcceptMatch, p.RejectMatch, p.AcceptLiveness, p.RejectLiveness),
                p.EffectiveFrom, p.Reason, p.ProposedBy, Name(p.ProposedBy)!, p.ProposedAt, p.State, Name(p.DecidedBy), p.DecidedAt, p.DecisionReason,
                p.PolicyVersion, ReplayJson.Read(p.ReplaySummary)))],
            ThresholdValues.Of(current.ToPolicy()));
    }
}
