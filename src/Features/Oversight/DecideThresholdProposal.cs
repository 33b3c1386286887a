using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Ingestion;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Oversight;

/// <summary>
/// A second supervisor approves a threshold proposal (creating the next policy version, in force from the
/// proposal's effective time) or rejects it with a reason; the proposer may withdraw it. Each in one
/// transaction with its audit entry; two people deciding at once: one decision stands, the other is told.
/// </summary>
public sealed class DecideThresholdProposal(IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, PolicyCache policies, TimeProvider clock)
{
    private const string Lost = "Someone else decided this proposal a moment ago. Reload to see the decision.";

    public async Task<OversightResult> ApproveAsync(Guid proposalId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var proposal = await db.ThresholdProposals.FirstOrDefaultAsync(p => p.Id == proposalId, ct);
        if (proposal is null)
        {
            return new OversightResult.NotFound();
        }

        var latest = await db.PolicyVersions.OrderByDescending(v => v.Version).Select(v => new { v.Version, v.EffectiveFrom }).FirstAsync(ct);
        var latestFrom = await db.PolicyVersions.MaxAsync(v => v.EffectiveFrom, ct);
        if (ThresholdRules.CanApprove(new ThresholdActor(user.Id, user.Role), Facts(proposal), now, latestFrom) is { } refusal)
        {
            return new OversightResult.Refused(refusal.Message);
        }

        var version = new PolicyVersion
        {
            Version = latest.Version + 1,
            AcceptMatch = proposal.AcceptMatch,
            RejectMatch = proposal.RejectMatch,
            AcceptLiveness = proposal.AcceptLiveness,
            RejectLiveness = proposal.RejectLiveness,
            EffectiveFrom = proposal.EffectiveFrom,
            Reason = proposal.Reason.Length > 1000 ? proposal.Reason[..1000] : proposal.Reason,
            ProposedBy = proposal.ProposedBy,
            ApprovedBy = user.Id,
            CreatedAt = now,
        };
        db.PolicyVersions.Add(version);
        proposal.State = ProposalState.Approved;
        proposal.DecidedBy = user.Id;
        proposal.DecidedAt = now;
        proposal.PolicyVersion = version.Version;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The proposal changed under us (xmin), or another approval took this version number first.
            return new OversightResult.Refused(Lost);
        }

        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "threshold-approved", null, "threshold-proposal", proposal.Id.ToString(),
            $"Approved as policy version {version.Version}: {ThresholdText.Describe(Values(proposal))}, in force from {ThresholdText.When(proposal.EffectiveFrom)}."), ct);
        await tx.CommitAsync(ct);

        // Other instances re-read the versions within 30 seconds, well inside the minimum lead time.
        policies.Invalidate();
        return new OversightResult.Done(proposal.Id);
    }

    public async Task<OversightResult> RejectAsync(Guid proposalId, string? reason, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        return await CloseAsync(proposalId, user, ProposalState.Rejected, reason,
            p => ThresholdRules.CanReject(new ThresholdActor(user.Id, user.Role), Facts(p), reason), "threshold-rejected", ct);
    }

    public async Task<OversightResult> WithdrawAsync(Guid proposalId, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        return await CloseAsync(proposalId, user, ProposalState.Withdrawn, null,
            p => ThresholdRules.CanWithdraw(new ThresholdActor(user.Id, user.Role), Facts(p)), "threshold-withdrawn", ct);
    }

    private async Task<OversightResult> CloseAsync(Guid proposalId, CurrentUser user, ProposalState state, string? reason,
        Func<ThresholdProposal, Refusal?> rule, string action, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var proposal = await db.ThresholdProposals.FirstOrDefaultAsync(p => p.Id == proposalId, ct);
        if (proposal is null)
        {
            return new OversightResult.NotFound();
        }

        if (rule(proposal) is { } refusal)
        {
            return new OversightResult.Refused(refusal.Message);
        }

        proposal.State = state;
        proposal.DecidedBy = user.Id;
        proposal.DecidedAt = clock.GetUtcNow();
        proposal.DecisionReason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new OversightResult.Refused(Lost);
        }

        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, action, null, "threshold-proposal", proposal.Id.ToString(),
            state == ProposalState.Rejected
                ? $"Rejected {ThresholdText.Describe(Values(proposal))}. Reason: {proposal.DecisionReason}"
                : $"Withdrew {ThresholdText.Describe(Values(proposal))}."), ct);
        await tx.CommitAsync(ct);
        return new OversightResult.Done(proposal.Id);
    }

    private static ThresholdProposalFacts Facts(ThresholdProposal p) => new(p.State, p.ProposedBy, p.EffectiveFrom);

    private static ThresholdValues Values(ThresholdProposal p) => new(p.AcceptMatch, p.RejectMatch, p.AcceptLiveness, p.RejectLiveness);
}
