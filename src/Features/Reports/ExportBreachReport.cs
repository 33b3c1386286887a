using System.Globalization;
using System.Security.Cryptography;
using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Reports;

/// <summary>
/// Generates a breach report for a user and records the export: the <c>report_exports</c> row (who,
/// when, fingerprint, page count, photos or not) and its audit entry commit together, before the first
/// byte goes out. A breach outside the user's scope gives null and records nothing.
/// </summary>
public sealed class ExportBreachReport(IDbContextFactory<DashboardDb> dbFactory, LoadBreachReport load, AuditLog audit, TimeProvider clock)
{
    public const string AuditAction = "report-exported";

    public sealed record Exported(Guid ExportId, string ReportNumber, string BreachNumber, string CaseReference, string Sha256, int PageCount, byte[] Pdf, BreachReportData Data)
    {
        public string FileName => $"breach-report-{ReportNumber}.pdf";
    }

    public async Task<Exported?> HandleAsync(Guid breachId, bool includePhotos, CurrentUser user, CancellationToken ct, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        var data = await load.HandleAsync(breachId, user, includePhotos, ct);
        if (data is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        now = new DateTimeOffset(now.Ticks - (now.Ticks % 10), TimeSpan.Zero); // the database keeps microseconds
        var number = NewReportNumber(data.BreachNumber, now);
        var report = BreachReportDocument.Render(data, new ReportRequest(number, now, user.Name, user.Role.ToString(), includePhotos));

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var export = new ReportExport
        {
            Id = Guid.CreateVersion7(),
            ReportNumber = number,
            BreachId = breachId,
            ExportedBy = user.Id,
            ExportedAt = now,
            Sha256 = report.Sha256,
            PageCount = report.PageCount,
            IncludesPhotos = includePhotos,
        };
        db.ReportExports.Add(export);
        await db.SaveChangesAsync(ct);
        var photos = includePhotos ? $" with photos ({data.Photos.Count} included, at the exporter's request)" : " without photos";
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, AuditAction, data.SubjectId, "breach", breachId.ToString(),
            $"Report {number} of breach {data.BreachNumber} exported as PDF{photos}{context}: {report.PageCount} pages, SHA-256 {report.Sha256}."), ct);
        await tx.CommitAsync(ct);
        return new Exported(export.Id, number, data.BreachNumber, data.CaseReference, report.Sha256, report.PageCount, report.Pdf, data);
    }

    /// <summary>The breach number, then R and the export time to the millisecond, then two random hex digits: unique and sortable.</summary>
    public static string NewReportNumber(string breachNumber, DateTimeOffset at) =>
        string.Create(CultureInfo.InvariantCulture, $"{breachNumber}-R{at.UtcDateTime:yyMMddHHmmssfff}{RandomNumberGenerator.GetInt32(256):x2}");
}
