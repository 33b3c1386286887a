using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Live;

/// <summary>
/// The live channel. A connection joins only the groups its user may see: an officer their caseload,
/// a supervisor their team's, an auditor everything. Watching another subject is refused and audited.
/// Messages are small summaries; never a photo.
/// </summary>
[Authorize(Policy = LiveSetup.HubPolicy)]
public sealed class LiveHub(IDbContextFactory<DashboardDb> dbFactory, AuditLog audit, ILogger<LiveHub> logger) : Hub
{
    public const string AllGroup = "all";

    public static string OfficerGroup(Guid officerId) => "officer:" + officerId;

    public static string TeamGroup(Guid teamId) => "team:" + teamId;

    public static string SubjectGroup(Guid subjectId) => "subject:" + subjectId;

    public override async Task OnConnectedAsync()
    {
        var user = CurrentUser.From(Context.User) ?? throw new HubException("You are not signed in as a member of staff.");
        var group = user.Role switch
        {
            StaffRole.Officer => OfficerGroup(user.Id),
            StaffRole.Supervisor when user.TeamId is { } team => TeamGroup(team),
            StaffRole.Auditor => AllGroup,
            _ => null,
        };
        if (group is not null)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, group);
        }

        await base.OnConnectedAsync();
    }

    /// <summary>Receive one subject's messages (a subject page). Refused outside the caller's scope.</summary>
    public async Task WatchSubject(Guid subjectId)
    {
        var user = CurrentUser.From(Context.User) ?? throw new HubException("You are not signed in as a member of staff.");
        await using var db = await dbFactory.CreateDbContextAsync(Context.ConnectionAborted);
        if (!await Scope.Subjects(db, user).AnyAsync(s => s.Id == subjectId, Context.ConnectionAborted))
        {
            logger.LogWarning("Refused a live watch of a subject outside the caller's scope (staff {StaffId})", user.Id);
            await audit.AppendAsync(
                new AuditEntry(user.Id, user.Name, AuditActions.AccessRefused, subjectId, "live-watch", subjectId.ToString(), "Watch refused: subject outside the caller's caseload."),
                CancellationToken.None);
            throw new HubException("You may not watch this subject: it is not in your caseload.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, SubjectGroup(subjectId), Context.ConnectionAborted);
    }

    public Task UnwatchSubject(Guid subjectId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, SubjectGroup(subjectId));
}
