using System.Globalization;
using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Oversight;

/// <summary>
/// A supervisor proposes new matching thresholds with a reason and an effective time, carrying the what-if
/// replay they ran for exactly these values; the proposal keeps that replay so the approver sees the same figures.
/// </summary>
public sealed class ProposeThresholdChange(IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, TimeProvider clock)
{
    public sealed record Command(ThresholdValues Values, DateTimeOffset EffectiveFrom, string? Reason, ReplaySummary? Replay);

    public async Task<OversightResult> HandleAsync(Command command, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        var now = clock.GetUtcNow();
        if (ThresholdRules.CanPropose(user.Role, command.Values, command.EffectiveFrom, command.Reason, now) is { } refusal)
        {
            return new OversightResult.Refused(refusal.Message);
        }

        if (command.Replay is null || command.Replay.Proposed != command.Values)
        {
            return new OversightResult.Refused("Run the what-if replay for these values before proposing them.");
        }

        var proposal = new ThresholdProposal
        {
            Id = Guid.CreateVersion7(),
            AcceptMatch = command.Values.AcceptMatch,
            RejectMatch = command.Values.RejectMatch,
            AcceptLiveness = command.Values.AcceptLiveness,
            RejectLiveness = command.Values.RejectLiveness,
            EffectiveFrom = command.EffectiveFrom.ToUniversalTime(),
            Reason = command.Reason!.Trim(),
            ReplaySummary = ReplayJson.Write(command.Replay),
            ProposedBy = user.Id,
            ProposedAt = now,
            State = ProposalState.Proposed,
        };

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.ThresholdProposals.Add(proposal);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, "threshold-proposed", null, "threshold-proposal", proposal.Id.ToString(),
            $"Proposed {ThresholdText.Describe(command.Values)} from {ThresholdText.When(proposal.EffectiveFrom)}. Replay: {ThresholdText.Describe(command.Replay)}. Reason: {proposal.Reason}"), ct);
        await tx.CommitAsync(ct);
        return new OversightResult.Done(proposal.Id);
    }
}

/// <summary>Thresholds and replays in the words the audit log and the pages use.</summary>
public static class ThresholdText
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById(RunThresholdReplay.Zone);

    public static string Describe(ThresholdValues v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return string.Create(CultureInfo.InvariantCulture,
            $"match reject {v.RejectMatch:0.00} / accept {v.AcceptMatch:0.00}, liveness reject {v.RejectLiveness:0.00} / accept {v.AcceptLiveness:0.00}");
    }

    public static string Describe(ReplaySummary r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return string.Create(CultureInfo.InvariantCulture,
            $"{r.Moved:N0} of {r.Total:N0} check-ins from {When(r.From)} to {When(r.To)} would change outcome; {r.Contradictions.Total:N0} of {r.Contradictions.Decided:N0} reviewer decisions contradicted");
    }

    public static string When(DateTimeOffset utc) =>
        TimeZoneInfo.ConvertTime(utc, London).ToString("dd MMM yyyy HH:mm", CultureInfo.GetCultureInfo("en-GB")) + " London time";
}
