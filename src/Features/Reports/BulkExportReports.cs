using System.Globalization;
using System.IO.Compression;
using System.Text;
using Dashboard.Audit;
using Dashboard.Components.Common;
using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Features.Breaches;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Reports;

/// <summary>
/// Every breach report matching a filter as one ZIP: a PDF per breach and <c>index.csv</c> (report number,
/// case reference, breach, kind, state, dates, decision, pages, SHA-256). Written to the output one report
/// at a time (only one PDF is held in memory, whatever the count), each recorded and audited like a
/// single export. For auditors; the scope still applies.
/// </summary>
public sealed class BulkExportReports(IDbContextFactory<DashboardDb> dbFactory, ExportBreachReport export, AuditLog audit)
{
    public const string AuditAction = "reports-bulk-exported";
    public const string IndexName = "index.csv";
    public const string IndexHeader = "report_number,case_reference,breach_number,breach_kind,breach_state,proposed_at_utc,decided_at_utc,decision,decided_by,decision_reason,pages,sha256,file";

    /// <summary>Breaches proposed on London dates From..To (inclusive), of a team or an officer, in a state.</summary>
    public sealed record Filter(DateOnly? From = null, DateOnly? To = null, Guid? TeamId = null, Guid? OfficerId = null, BreachState? State = null)
    {
        public string Describe() => string.Join(", ", new[]
        {
            From is { } f ? $"from {f:yyyy-MM-dd}" : null,
            To is { } t ? $"to {t:yyyy-MM-dd}" : null,
            TeamId is { } team ? $"team {team}" : null,
            OfficerId is { } o ? $"officer {o}" : null,
            State is { } s ? $"state {s}" : null,
        }.Where(x => x is not null)) is { Length: > 0 } text ? text : "all breaches";
    }

    public sealed record Choice(Guid Id, string Name);

    /// <summary>The teams and officers the filter offers.</summary>
    public async Task<(IReadOnlyList<Choice> Teams, IReadOnlyList<Choice> Officers)> OptionsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new Choice(t.Id, t.Name)).ToListAsync(ct);
        var officers = await db.Staff.AsNoTracking().Where(s => s.Role == StaffRole.Officer).OrderBy(s => s.DisplayName)
            .Select(s => new Choice(s.Id, s.DisplayName)).ToListAsync(ct);
        return (teams, officers);
    }

    /// <summary>The matching breaches in the order they are exported (proposed first, first).</summary>
    public async Task<IReadOnlyList<Guid>> MatchingAsync(Filter filter, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var subjects = Scope.Subjects(db, user);
        if (filter.OfficerId is { } officer)
        {
            subjects = subjects.Where(s => s.OfficerId == officer);
        }

        if (filter.TeamId is { } team)
        {
            subjects = subjects.Where(s => db.Staff.Any(o => o.Id == s.OfficerId && o.TeamId == team));
        }

        var breaches = db.Breaches.AsNoTracking().Where(b => subjects.Select(s => s.Id).Contains(b.SubjectId));
        if (filter.From is { } from)
        {
            var start = LondonMidnight(from);
            breaches = breaches.Where(b => b.ProposedAt >= start);
        }

        if (filter.To is { } to)
        {
            var end = LondonMidnight(to.AddDays(1));
            breaches = breaches.Where(b => b.ProposedAt < end);
        }

        if (filter.State is { } state)
        {
            breaches = breaches.Where(b => b.State == state);
        }

        return await breaches.OrderBy(b => b.ProposedAt).ThenBy(b => b.Id).Select(b => b.Id).ToListAsync(ct);
    }

    /// <summary>
    /// Writes the ZIP of <paramref name="breachIds"/> to <paramref name="output"/>, calling
    /// <paramref name="progress"/> after each report. Cancelling stops after the report being written: a
    /// report once started is generated, recorded and written whole, so the exports on record are exactly
    /// the reports the download received (the progress count).
    /// </summary>
    public async Task WriteZipAsync(IReadOnlyList<Guid> breachIds, Filter filter, CurrentUser user, Stream output, Action<int>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(breachIds);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(output);
        await audit.AppendAsync(new AuditEntry(user.Id, user.Name, AuditAction, null, "reports", null,
            $"Bulk export of {breachIds.Count} breach reports ({filter.Describe()}) as a ZIP with an index."), ct);

        var buffer = new ZipChunkStream();
        var index = new StringBuilder(IndexHeader).Append('\n');
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var done = 0;
            foreach (var id in breachIds)
            {
                ct.ThrowIfCancellationRequested();
                // Not cancellable once started: an export recorded but cut from the download would be on record
                // without the auditor ever having received it.
                var report = await export.HandleAsync(id, includePhotos: false, user, CancellationToken.None, context: " in a bulk export");
                if (report is null)
                {
                    continue; // left the scope meanwhile
                }

                var entry = zip.CreateEntry(report.FileName, CompressionLevel.Fastest);
                entry.LastWriteTime = DateTimeOffset.UtcNow;
                using (var stream = entry.Open())
                {
                    stream.Write(report.Pdf);
                }

                var d = report.Data;
                index.AppendJoin(',', Csv(report.ReportNumber), Csv(d.CaseReference), Csv(d.BreachNumber), Csv(AlertRules.Describe(d.Kind)), Csv(BreachText.Describe(d.State)),
                    Csv(Iso(d.ProposedAt)), Csv(d.DecidedAt is { } at ? Iso(at) : ""), Csv(d.DecidedAt is null ? "Undecided" : BreachText.Describe(d.State)),
                    Csv(d.DecidedBy ?? ""), Csv(d.DecisionReason ?? ""), report.PageCount.ToString(CultureInfo.InvariantCulture), report.Sha256, Csv(report.FileName)).Append('\n');
                await buffer.DrainAsync(output, CancellationToken.None);
                progress?.Invoke(++done);
            }

            var indexEntry = zip.CreateEntry(IndexName, CompressionLevel.Optimal);
            using var indexStream = indexEntry.Open();
            indexStream.Write(new UTF8Encoding(false).GetBytes(index.ToString()));
        }

        await buffer.DrainAsync(output, ct);
    }

    private static DateTimeOffset LondonMidnight(DateOnly date)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        var offset = LondonTime.ToLondon(new DateTimeOffset(local, TimeSpan.Zero)).Offset;
        return new DateTimeOffset(local - offset, TimeSpan.Zero);
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180 quoting; a leading formula character is neutralised so spreadsheets show text, not a formula.</summary>
    public static string Csv(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' && !char.IsDigit(value.ElementAtOrDefault(1)))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
