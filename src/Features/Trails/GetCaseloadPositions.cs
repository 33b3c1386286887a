using Dashboard.Data;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Dashboard.Features.Trails;

/// <summary>The last known position of every subject in the user's scope, for the caseload map.</summary>
public sealed class GetCaseloadPositions(IDbContextFactory<DashboardDb> dbFactory, NpgsqlDataSource dataSource)
{
    public sealed record Position(Guid SubjectId, string Name, string CaseReference, string? DeviceId, DateTimeOffset? At, double? Lat, double? Lon, double? AccuracyM);

    /// <summary>
    /// The newest fix of each subject: one index probe per subject, limited to the partitions from the
    /// device's last fix on (the device row says when that was).
    /// </summary>
    private const string LastFixSql = """
        SELECT s.id, p.at, ST_Y(p.location::geometry), ST_X(p.location::geometry), p.accuracy_m
        FROM unnest($1::uuid[], $2::timestamptz[]) AS s(id, last_fix_at)
        CROSS JOIN LATERAL (
            SELECT l.at, l.location, l.accuracy_m
            FROM location_pings l
            WHERE l.subject_id = s.id AND l.at >= s.last_fix_at - interval '1 day'
            ORDER BY l.at DESC
            LIMIT 1
        ) p
        """;

    public async Task<IReadOnlyList<Position>> HandleAsync(CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var subjects = await Scope.Subjects(db, user).AsNoTracking()
            .OrderBy(s => s.FamilyName).ThenBy(s => s.GivenName)
            .Select(s => new
            {
                s.Id,
                Name = s.GivenName + " " + s.FamilyName,
                s.CaseReference,
                Device = db.Devices.Where(d => d.SubjectId == s.Id).OrderByDescending(d => d.LastFixAt).Select(d => new { d.Id, d.LastFixAt }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var withFix = subjects.Where(s => s.Device?.LastFixAt is not null).ToList();
        var fixes = new Dictionary<Guid, (DateTimeOffset At, double Lat, double Lon, double Accuracy)>();
        if (withFix.Count > 0)
        {
            await using var command = dataSource.CreateCommand(LastFixSql);
            command.Parameters.AddWithValue(withFix.Select(s => s.Id).ToArray());
            command.Parameters.AddWithValue(withFix.Select(s => s.Device!.LastFixAt!.Value.UtcDateTime).ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                fixes[reader.GetGuid(0)] = (reader.GetFieldValue<DateTimeOffset>(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4));
            }
        }

        return subjects.Select(s => fixes.TryGetValue(s.Id, out var f)
                ? new Position(s.Id, s.Name, s.CaseReference, s.Device?.Id, f.At, f.Lat, f.Lon, f.Accuracy)
                : new Position(s.Id, s.Name, s.CaseReference, s.Device?.Id, null, null, null, null))
            .ToList();
    }
}
