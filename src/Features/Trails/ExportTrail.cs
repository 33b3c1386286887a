using System.Globalization;
using System.Text;
using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Dashboard.Features.Trails;

/// <summary>
/// A trail as CSV, written straight to the response: every fix of the range read row by row from the
/// database (never held in memory), or the condensed trail (the simplified points the map draws).
/// The export is recorded in the audit log before the first byte is sent.
/// </summary>
public sealed class ExportTrail(IDbContextFactory<DashboardDb> dbFactory, NpgsqlDataSource dataSource, GetTrail getTrail, AuditLog audit)
{
    public const string AuditAction = "trail-exported";
    public const string Header = "point,time_utc,time_london,lat,lon,accuracy_m,source,speed_mps,segment";

    public sealed record Command(Guid SubjectId, DateTimeOffset From, DateTimeOffset To, bool Condensed);

    /// <summary>False when the subject is outside the user's scope; nothing is written or audited then.</summary>
    public async Task<bool> WriteAsync(Command command, CurrentUser user, Stream output, Func<string, Task> starting, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(starting);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var subject = await Scope.Subjects(db, user).AsNoTracking().Where(s => s.Id == command.SubjectId)
                .Select(s => s.CaseReference).FirstOrDefaultAsync(ct);
            if (subject is null || command.To <= command.From)
            {
                return false;
            }

            var what = command.Condensed ? "condensed (simplified) trail" : "all points";
            await audit.AppendAsync(new AuditEntry(user.Id, user.Name, AuditAction, command.SubjectId, "trail", command.SubjectId.ToString(),
                string.Create(CultureInfo.InvariantCulture, $"Trail CSV ({what}) of {subject} from {command.From.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z to {command.To.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z.")), ct);
            await starting($"trail-{subject}-{command.From.UtcDateTime:yyyyMMddHHmm}-{command.To.UtcDateTime:yyyyMMddHHmm}{(command.Condensed ? "-condensed" : "")}.csv");
        }

        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await writer.WriteLineAsync(Header);
        if (command.Condensed)
        {
            var trail = await getTrail.HandleAsync(new GetTrail.Query(command.SubjectId, command.From, command.To), user, ct);
            var segment = 0;
            foreach (var points in trail?.Segments ?? (IReadOnlyList<IReadOnlyList<GetTrail.TrailPoint>>)[])
            {
                segment++;
                foreach (var p in points)
                {
                    await writer.WriteLineAsync(Row(p.Number, p.At, p.Lat, p.Lon, p.AccuracyM, p.SpeedMps, segment));
                }
            }
        }
        else
        {
            await using var read = dataSource.CreateCommand(GetTrail.FixesSql);
            read.Parameters.AddWithValue(command.SubjectId);
            read.Parameters.AddWithValue(command.From.ToUniversalTime());
            read.Parameters.AddWithValue(command.To.ToUniversalTime());
            await using var reader = await read.ExecuteReaderAsync(ct);
            TrailFix? previous = null;
            var number = 0;
            var segment = 0;
            while (await reader.ReadAsync(ct))
            {
                var fix = new TrailFix(reader.GetFieldValue<DateTimeOffset>(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3));
                var newSegment = previous is not { } p || fix.At - p.At > TimeSpan.FromMinutes(5);
                segment += newSegment ? 1 : 0;
                await writer.WriteLineAsync(Row(++number, fix.At, fix.Lat, fix.Lon, fix.AccuracyM, newSegment ? null : GetTrail.SpeedMps(previous!.Value, fix), segment));
                previous = fix;
            }
        }

        await writer.FlushAsync(ct);
        return true;
    }

    private static string Row(int number, DateTimeOffset at, double lat, double lon, double accuracyM, double? speed, int segment) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{number},{at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ},{Components.Common.LondonTime.Format(at, "yyyy-MM-dd HH:mm:ss")},{lat:0.000000},{lon:0.000000},{accuracyM:0.#},{GetTrail.SourceOf(accuracyM)},{(speed is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "")},{segment}");
}
