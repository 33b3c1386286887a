using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Features.Reports.Pdf;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Reports;

/// <summary>
/// Checks a report file (or a fingerprint typed from a printed copy) against the exports on record. A file
/// matches only if it is intact (see <see cref="PdfSeal"/>) and its fingerprint was recorded by an export
/// of a breach within the user's scope. Every check is audited.
/// </summary>
public sealed class VerifyReport(IDbContextFactory<DashboardDb> dbFactory, AuditLog audit)
{
    public const string AuditAction = "report-verified";

    public sealed record Export(string ReportNumber, Guid BreachId, string BreachNumber, string CaseReference, string ExportedBy, DateTimeOffset ExportedAt, int PageCount, bool IncludesPhotos);

    /// <summary>The outcome: <see cref="Matches"/> with the export on record, or not, with the reason in <see cref="Message"/>.</summary>
    public sealed record Result(bool Matches, string? Sha256, Export? Record, string Message);

    public async Task<Result> FileAsync(byte[] file, string? fileName, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(user);
        var intact = PdfSeal.Check(file);
        Result result;
        if (intact is not null)
        {
            var record = await FindAsync(intact, user, ct);
            result = record is null
                ? new Result(false, intact, null, "No export on record has this fingerprint. The file is internally consistent, but it was not exported from this dashboard (or not from a breach you may see).")
                : new Result(true, intact, record, $"Matches report {record.ReportNumber}, exported by {record.ExportedBy} on {ReportTime.London(record.ExportedAt)} ({ReportTime.Utc(record.ExportedAt)}). The file is exactly as exported.");
        }
        else
        {
            var claimed = PdfSeal.Printed(file);
            Export? record = null;
            foreach (var hash in claimed)
            {
                record ??= await FindAsync(hash, user, ct);
            }

            result = record is null
                ? new Result(false, null, null, "Does not match. No intact fingerprint was found: this is not a report exported from this dashboard, or it was changed after export.")
                : new Result(false, null, record, $"Does not match. The file shows the fingerprint of report {record.ReportNumber} (exported by {record.ExportedBy} on {ReportTime.London(record.ExportedAt)}), but its content has changed since that export.");
        }

        await AuditAsync(user, $"Uploaded file{(fileName is null ? "" : $" '{Trim(fileName)}'")} ({file.Length} bytes): {(result.Matches ? $"matches report {result.Record!.ReportNumber}" : "no match")}.", ct);
        return result;
    }

    public async Task<Result> HashAsync(string? text, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        var hash = PdfSeal.Normalise(text);
        if (hash is null)
        {
            return new Result(false, null, null, "A fingerprint is 64 characters, the digits 0 to 9 and the letters a to f.");
        }

        var record = await FindAsync(hash, user, ct);
        var result = record is null
            ? new Result(false, hash, null, "No export on record has this fingerprint.")
            : new Result(true, hash, record, $"This fingerprint is that of report {record.ReportNumber}, exported by {record.ExportedBy} on {ReportTime.London(record.ExportedAt)} ({ReportTime.Utc(record.ExportedAt)}).");
        await AuditAsync(user, $"Fingerprint {hash}: {(result.Matches ? $"matches report {record!.ReportNumber}" : "no match")}.", ct);
        return result;
    }

    private async Task<Export?> FindAsync(string hash, CurrentUser user, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (from r in db.ReportExports.AsNoTracking()
                      join b in db.Breaches on r.BreachId equals b.Id
                      join s in Scope.Subjects(db, user) on b.SubjectId equals s.Id
                      where r.Sha256 == hash
                      orderby r.ExportedAt
                      select new Export(r.ReportNumber, b.Id, b.Number, s.CaseReference,
                          db.Staff.Where(x => x.Id == r.ExportedBy).Select(x => x.DisplayName).FirstOrDefault() ?? "Unknown",
                          r.ExportedAt, r.PageCount, r.IncludesPhotos)).FirstOrDefaultAsync(ct);
    }

    private Task AuditAsync(CurrentUser user, string detail, CancellationToken ct) =>
        audit.AppendAsync(new AuditEntry(user.Id, user.Name, AuditAction, null, "report", null, detail), ct);

    private static string Trim(string name) => name.Length <= 120 ? name : name[..120];
}
