using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Features.Reports;
using Dashboard.Features.Retention;
using Dashboard.Features.Reviews;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Dashboard.Features.Transparency;

/// <summary>
/// The transparency pack (subject access request): everything held about one person as one ZIP, a sealed
/// PDF summary beside CSV and JSON files of every row. For auditors only: anyone else is refused (only the
/// refusal is recorded); an unknown person gives not-found. The export is written to the audit log (who,
/// which person, with or without raw points, the PDF's fingerprint) before the first byte goes out. The
/// raw points and the access history are streamed from the database into the ZIP, a megabyte at a
/// time, so memory stays flat however many fixes are held.
/// </summary>
public sealed class ExportTransparencyPack(
    IDbContextFactory<DashboardDb> dbFactory,
    NpgsqlDataSource dataSource,
    AuditLog audit,
    AccessRefusals refusals,
    IOptions<RetentionOptions> retention,
    IOptions<ReviewOptions> reviews,
    TimeProvider clock)
{
    public const string AuditAction = "transparency-pack-exported";
    public const string PdfName = "transparency-pack.pdf";
    public const string PointsName = "location-points.csv";

    /// <summary>The ZIP is handed to the output whenever this much is waiting.</summary>
    private const int DrainBytes = 1 << 20;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly UTF8Encoding Utf8 = new(false);

    public sealed record Command(Guid SubjectId, bool RawPoints);

    public enum Outcome
    {
        Written,
        /// <summary>Not an auditor: nothing read; the refusal is recorded.</summary>
        Refused,
        /// <summary>No such person (or outside the scope): nothing recorded.</summary>
        NotFound,
    }

    /// <summary>What the response needs before the first byte: the file name and the pack's identity.</summary>
    public sealed record Started(string FileName, string PackNumber, string PdfSha256, int PdfPages, TimeSpan Loading = default, TimeSpan Drawing = default);

    /// <summary>Authorises, loads, renders and audits, then calls <paramref name="starting"/> and writes the ZIP to <paramref name="output"/>.</summary>
    public async Task<Outcome> WriteAsync(Command command, CurrentUser user, Stream output, Func<Started, Task> starting, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(starting);
        if (user.Role != StaffRole.Auditor)
        {
            await refusals.RoleAsync(user, "the transparency pack", command.SubjectId, "subject", command.SubjectId, ct);
            return Outcome.Refused;
        }

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (!await Scope.Subjects(db, user).AnyAsync(s => s.Id == command.SubjectId, ct))
            {
                return Outcome.NotFound;
            }
        }

        var now = clock.GetUtcNow();
        now = new DateTimeOffset(now.Ticks - (now.Ticks % 10), TimeSpan.Zero);
        var timer = System.Diagnostics.Stopwatch.StartNew();
        var data = await LoadTransparencyPack.LoadAsync(dataSource, command.SubjectId, retention.Value, reviews.Value, now, ct);
        var loading = timer.Elapsed;
        var number = NewPackNumber(data.Profile.CaseReference, now);
        var request = new PackRequest(number, now, user.Name, user.Role.ToString(), command.RawPoints);
        var pdf = TransparencyPackDocument.Render(data, request);
        var drawing = timer.Elapsed - loading;

        var points = command.RawPoints ? $"with raw location points ({data.FixCount.ToString("N0", Invariant)} fixes)" : "without raw location points (daily summary only)";
        await audit.AppendAsync(new AuditEntry(user.Id, user.Name, AuditAction, command.SubjectId, "transparency-pack", number,
            $"Transparency pack {number} of case {data.Profile.CaseReference} exported as a ZIP {points}: {data.CheckIns.Count} check-ins, {data.Alerts.Count} alerts, " +
            $"{data.Breaches.Count} breaches, {data.LocationDays.Count} days of location, access history to entry #{data.Access.UpToEntry}; PDF {pdf.PageCount} pages, SHA-256 {pdf.Sha256}."), ct);

        await starting(new Started($"transparency-pack-{data.Profile.CaseReference}-{now.UtcDateTime:yyyyMMdd-HHmmss}.zip", number, pdf.Sha256, pdf.PageCount, loading, drawing));
        await WriteZipAsync(data, request, pdf, output, ct);
        return Outcome.Written;
    }

    private async Task WriteZipAsync(TransparencyPackData data, PackRequest request, RenderedReport pdf, Stream output, CancellationToken ct)
    {
        var buffer = new ZipChunkStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var at = request.GeneratedAt;
            Text(zip, "README.txt", TransparencyPackReadme.Write(data, request, pdf), at);
            using (var entry = Entry(zip, PdfName, at, CompressionLevel.NoCompression))
            {
                entry.Write(pdf.Pdf);
            }

            Text(zip, "profile.json", ProfileJson(data.Profile), at);
            Csv(zip, "check-ins.csv", at, "check_in_id,captured_at_utc,captured_at_london,received_at_utc,device_id,outcome,missed_by_timer,match_score,liveness_score,policy_version,accept_match,reject_match,accept_liveness,reject_liveness,lat,lon,accuracy_m,photo_held,review_decision,review_reason,reviewer,decided_at_utc",
                data.CheckIns.Select(c => Cells(c.Id.ToString(), Utc(c.CapturedAt), London(c.CapturedAt), Utc(c.ReceivedAt), c.DeviceId, c.Outcome.ToString(), YesNo(c.Synthetic),
                    c.Synthetic ? "" : Num(c.MatchScore), c.Synthetic ? "" : Num(c.LivenessScore), c.PolicyVersion.ToString(Invariant), Num(c.AcceptMatch), Num(c.RejectMatch),
                    Num(c.AcceptLiveness), Num(c.RejectLiveness), Coord(c.Lat), Coord(c.Lon), Num(c.AccuracyM), YesNo(c.PhotoHeld), c.Decision?.ToString() ?? "",
                    c.DecisionReason ?? "", c.Reviewer ?? "", Utc(c.DecidedAt))));
            Csv(zip, "reviews.csv", at, "check_in_id,review_created_utc,due_by_utc,decision,decision_text,reason,reviewer,decided_at_utc",
                data.Reviews.Select(r => Cells(r.CheckInId.ToString(), Utc(r.CreatedAt), Utc(r.DueBy), r.Decision?.ToString() ?? "", r.Decision is { } d ? ReviewRules.Describe(d) : "Awaiting review",
                    r.Reason ?? "", r.Reviewer ?? "", Utc(r.DecidedAt))));
            Csv(zip, "monitoring-reviews.csv", at, "due_on,reviewed_at_utc,reviewed_by,conditions,frequency_appropriate,frequency_note,representations,outcome,reasons,next_due_on",
                data.MonitoringReviews.Select(m => Cells(Day(m.DueOn), Utc(m.ReviewedAt), m.ReviewedBy,
                    string.Join("; ", m.Conditions.Select(c => $"{c.Condition}: {(c.StillNecessary ? "still necessary" : "no longer necessary")}{(c.Note is { Length: > 0 } n ? $" ({n})" : "")}")),
                    YesNo(m.FrequencyAppropriate), m.FrequencyNote ?? "", m.Representations ?? "", m.Outcome.ToString(), m.Reasons, Day(m.NextDueOn))));
            Csv(zip, "alerts.csv", at, "alert_id,raised_at_utc,raised_at_london,kind,state,summary,occurrences,acknowledged_by,acknowledged_at_utc,dismissed_by,dismissed_at_utc,dismiss_reason,reasonable_excuse,breach_number,closed_at_utc,closed_reason",
                data.Alerts.Select(a => Cells(a.Id.ToString(), Utc(a.RaisedAt), London(a.RaisedAt), a.Kind.ToString(), AlertRules.Describe(a.State, a.BreachState), a.Summary, a.Occurrences.ToString(Invariant),
                    a.AcknowledgedBy ?? "", Utc(a.AcknowledgedAt), a.DismissedBy ?? "", Utc(a.DismissedAt), a.DismissReason ?? "", a.ReasonableExcuse ?? "", a.BreachNumber ?? "", Utc(a.ClosedAt), a.ClosedReason ?? "")));
            Csv(zip, "breaches.csv", at, "breach_number,kind,state,summary,alerts,proposed_by,proposed_at_utc,decided_by,decided_at_utc,decision_reason",
                data.Breaches.Select(b => Cells(b.Number, b.Kind.ToString(), b.State.ToString(), b.Summary, b.Alerts.ToString(Invariant), b.ProposedBy, Utc(b.ProposedAt),
                    b.DecidedBy ?? "", Utc(b.DecidedAt), b.DecisionReason ?? "")));
            Csv(zip, "notes.csv", at, "at_utc,author,text,edited_at_utc,breach_number,correction",
                data.Notes.Select(n => Cells(Utc(n.At), n.Author, n.Text, Utc(n.EditedAt), n.BreachNumber ?? "", YesNo(n.Correction))));
            Csv(zip, "device-events.csv", at, "at_utc,device_id,kind,detail",
                data.DeviceEvents.Select(e => Cells(Utc(e.At), e.DeviceId, e.Kind.ToString(), e.Detail ?? "")));
            Csv(zip, "prompts.csv", at, "due_at_utc,window_ends_at_utc,status,origin",
                data.Prompts.Select(p => Cells(Utc(p.DueAt), Utc(p.WindowEndsAt), p.Status.ToString(), p.Origin.ToString())));
            Csv(zip, "photos.csv", at, "photo_id,kind,taken_at_utc,check_in_id,deletion_due_utc,retention",
                data.Photos.Select(p => Cells(p.Id.ToString(), p.Kind.ToString(), Utc(p.TakenAt), p.CheckInId?.ToString() ?? "", Utc(p.DeletionDue), p.Retention)));
            Csv(zip, "location-daily.csv", at, "day_london,fixes,gps_fixes,first_utc,last_utc,min_lat,min_lon,max_lat,max_lon,centre_lat,centre_lon,zones_visited",
                data.LocationDays.Select(d => Cells(Day(d.Day), d.Fixes.ToString(Invariant), d.GpsFixes.ToString(Invariant), Utc(d.First), Utc(d.Last),
                    Coord(d.MinLat), Coord(d.MinLon), Coord(d.MaxLat), Coord(d.MaxLon), Coord(d.CentreLat), Coord(d.CentreLon), d.ZonesVisited)));
            Csv(zip, "retention.csv", at, "category,files,held,rule,next_deletion",
                data.Retention.Select(r => Cells(r.Category, r.Files, r.Held.ToString(Invariant), r.Rule, r.NextDeletion)));
            await buffer.DrainAsync(output, ct);

            await StreamAsync(zip, buffer, output, "access-history.csv", at, "entry,at_utc,at_london,who,role,action,entity_type,entity_id,detail",
                LoadTransparencyPack.AccessHistorySql, [data.Profile.Id, data.Access.UpToEntry], (r, w) =>
                {
                    var a = LoadTransparencyPack.ReadAccess(r);
                    w.Write(Cells(a.Id.ToString(Invariant), Utc(a.At), London(a.At), a.Who, a.Role ?? "", a.Action, a.EntityType ?? "", a.EntityId ?? "", a.Detail ?? ""));
                }, ct);
            if (request.RawPoints)
            {
                var line = new char[256];
                await StreamAsync(zip, buffer, output, PointsName, at, "time_utc,lat,lon,accuracy_m,battery_pct,device_id", LoadTransparencyPack.PointsSql, [data.Profile.Id],
                    (r, w) => w.Write(line, 0, PointLine(r, line)), ct);
            }
        }

        await buffer.DrainAsync(output, ct);
    }

    /// <summary>Writes one fix as a CSV line into <paramref name="line"/> without allocating; answers its length.</summary>
    private static int PointLine(NpgsqlDataReader r, char[] line)
    {
        var span = line.AsSpan();
        var n = 0;
        r.GetFieldValue<DateTimeOffset>(0).UtcDateTime.TryFormat(span, out var w, "yyyy-MM-ddTHH:mm:ssZ", Invariant);
        n += w;
        span[n++] = ',';
        r.GetDouble(1).TryFormat(span[n..], out w, "0.000000", Invariant);
        n += w;
        span[n++] = ',';
        r.GetDouble(2).TryFormat(span[n..], out w, "0.000000", Invariant);
        n += w;
        span[n++] = ',';
        r.GetDouble(3).TryFormat(span[n..], out w, "0.#", Invariant);
        n += w;
        span[n++] = ',';
        if (!r.IsDBNull(4))
        {
            r.GetInt16(4).TryFormat(span[n..], out w, default, Invariant);
            n += w;
        }

        span[n++] = ',';
        var device = r.GetString(5);
        device.AsSpan(0, Math.Min(device.Length, 64)).CopyTo(span[n..]);
        n += Math.Min(device.Length, 64);
        span[n++] = '\n';
        return n;
    }

    /// <summary>
    /// Streams a query's rows into a ZIP entry: a reader row by row, and the compressed bytes handed to the
    /// output whenever a megabyte is waiting. Nothing of the rows is held beyond the writer's buffers.
    /// </summary>
    private async Task StreamAsync(ZipArchive zip, ZipChunkStream buffer, Stream output, string name, DateTimeOffset at, string header, string sql, object[] parameters,
        Action<NpgsqlDataReader, StreamWriter> row, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        await using (var jit = new NpgsqlCommand("SET LOCAL jit = off", connection))
        {
            await jit.ExecuteNonQueryAsync(ct);
        }

        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.AddWithValue(p);
        }

        command.CommandTimeout = 0; // as long as the download takes; the request's cancellation ends it
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        using var stream = Entry(zip, name, at, CompressionLevel.Fastest);
        using var writer = new StreamWriter(stream, Utf8, 64 * 1024);
        writer.Write(header);
        writer.Write('\n');
        var rows = 0;
        while (await reader.ReadAsync(ct))
        {
            row(reader, writer);
            if (++rows % 4096 == 0 && buffer.Pending >= DrainBytes)
            {
                await buffer.DrainAsync(output, ct);
            }
        }
    }

    public static string NewPackNumber(string caseReference, DateTimeOffset at) =>
        string.Create(Invariant, $"TP-{caseReference}-{at.UtcDateTime:yyMMddHHmmssfff}{RandomNumberGenerator.GetInt32(256):x2}");

    private static string ProfileJson(PackProfile p) => JsonSerializer.Serialize(new
    {
        caseReference = p.CaseReference,
        givenName = p.GivenName,
        familyName = p.FamilyName,
        homeAddress = p.HomeAddress,
        home = new { lat = p.HomeLat, lon = p.HomeLon },
        monitoringStartUtc = p.MonitoringStart.UtcDateTime,
        monitoringEndUtc = p.MonitoringEnd?.UtcDateTime,
        nextProportionalityReviewDue = p.ReviewDueOn,
        responsibleOfficer = p.Officer,
        team = p.Team,
        referencePhotoHeld = p.ReferencePhotoHeld,
        devices = p.Devices.Select(d => new { id = d.Id, model = d.Model, batteryPct = d.BatteryPct, lastFixUtc = d.LastFixAt?.UtcDateTime, lastSeenUtc = d.LastSeenAt?.UtcDateTime }),
        zones = p.Zones.Select(z => new { name = z.Name, kind = z.Kind.ToString(), active = z.Active, curfewStart = z.CurfewStart?.ToString("HH:mm", Invariant), curfewEnd = z.CurfewEnd?.ToString("HH:mm", Invariant), radiusM = z.RadiusM }),
        absences = p.Absences.Select(a => new { fromUtc = a.From.UtcDateTime, toUtc = a.To.UtcDateTime, reason = a.Reason, recordedBy = a.RecordedBy, recordedAtUtc = a.RecordedAt.UtcDateTime, cancelledAtUtc = a.CancelledAt?.UtcDateTime }),
    }, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static Stream Entry(ZipArchive zip, string name, DateTimeOffset at, CompressionLevel level = CompressionLevel.Optimal)
    {
        var entry = zip.CreateEntry(name, level);
        entry.LastWriteTime = at;
        return entry.Open();
    }

    private static void Text(ZipArchive zip, string name, string text, DateTimeOffset at)
    {
        using var stream = Entry(zip, name, at);
        stream.Write(Utf8.GetBytes(text));
    }

    private static void Csv(ZipArchive zip, string name, DateTimeOffset at, string header, IEnumerable<string> rows)
    {
        using var stream = Entry(zip, name, at);
        using var writer = new StreamWriter(stream, Utf8, 64 * 1024);
        writer.Write(header);
        writer.Write('\n');
        foreach (var row in rows)
        {
            writer.Write(row);
        }
    }

    /// <summary>One CSV line (RFC 4180 quoting, formula characters neutralised), with its line end.</summary>
    private static string Cells(params string[] cells) => string.Join(',', cells.Select(BulkExportReports.Csv)) + "\n";

    private static string Utc(DateTimeOffset? t) => t is { } x ? x.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant) : "";

    private static string London(DateTimeOffset t) => Components.Common.LondonTime.Format(t, "yyyy-MM-dd HH:mm:ss");

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", Invariant);

    private static string Num(double? v) => v is { } x ? x.ToString("0.###", Invariant) : "";

    private static string Coord(double? v) => v is { } x ? x.ToString("0.000000", Invariant) : "";

    private static string YesNo(bool b) => b ? "yes" : "no";
}
