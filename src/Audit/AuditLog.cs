using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Audit;

public static class AuditActions
{
    public const string SignIn = "sign-in";
    public const string SignOut = "sign-out";
    public const string AccessRefused = "access-refused";
    public const string PhotoViewed = "photo-viewed";
    public const string RecordViewed = "record-viewed";
    public const string Seeded = "demo-seeded";
}

/// <summary>What happened, by whom, about what. The log adds the time and the hash chain.</summary>
public sealed record AuditEntry(
    Guid? ActorId,
    string ActorName,
    string Action,
    Guid? SubjectId = null,
    string? EntityType = null,
    string? EntityId = null,
    string? Detail = null);

/// <summary>
/// The append-only, hash-chained audit log. Each row stores SHA-256(previous hash || canonical content);
/// appends take one advisory lock so the chain never forks, however many app instances write.
/// </summary>
public sealed class AuditLog(IDbContextFactory<DashboardDb> dbFactory, TimeProvider clock)
{
    /// <summary>The previous hash of the first row.</summary>
    public static readonly byte[] GenesisHash = new byte[32];

    /// <summary>The advisory lock every append takes ("AUDIT"); tests hold it to pace what appends.</summary>
    public const long ChainLockKey = 0x4155_4449_5400;

    /// <summary>Appends in a transaction of its own.</summary>
    public async Task AppendAsync(AuditEntry entry, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AppendAsync(db, entry, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Appends inside the caller's transaction, so that the change and its audit row commit together.
    /// The caller must have begun a transaction on <paramref name="db"/>.
    /// </summary>
    public async Task AppendAsync(DashboardDb db, AuditEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(entry);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("An audit append needs the caller's transaction.");
        }

        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ChainLockKey})", ct);
        var previous = await db.AuditEvents.AsNoTracking().OrderByDescending(a => a.Id).Select(a => a.Hash).FirstOrDefaultAsync(ct)
            ?? GenesisHash;
        var row = new AuditEvent
        {
            At = TruncateToMicroseconds(clock.GetUtcNow()),
            ActorId = entry.ActorId,
            ActorName = entry.ActorName,
            Action = entry.Action,
            SubjectId = entry.SubjectId,
            EntityType = entry.EntityType,
            EntityId = entry.EntityId,
            Detail = entry.Detail,
            PreviousHash = previous,
            Hash = [],
        };
        row.Hash = ComputeHash(previous, row);
        db.AuditEvents.Add(row);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>SHA-256 over the previous hash and the row's canonical content (a JSON array of its fields).</summary>
    public static byte[] ComputeHash(byte[] previousHash, AuditEvent row)
    {
        ArgumentNullException.ThrowIfNull(previousHash);
        ArgumentNullException.ThrowIfNull(row);
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            row.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            row.ActorId,
            row.ActorName,
            row.Action,
            row.SubjectId,
            row.EntityType,
            row.EntityId,
            row.Detail,
        }, CanonicalJson);
        var content = Encoding.UTF8.GetBytes(canonical);
        var buffer = new byte[previousHash.Length + content.Length];
        previousHash.CopyTo(buffer, 0);
        content.CopyTo(buffer, previousHash.Length);
        return SHA256.HashData(buffer);
    }

    /// <summary>
    /// The canonical form escapes only what JSON requires (quotes, backslash, control characters), so it
    /// does not change with the encoder's defaults in a later .NET version.
    /// </summary>
    private static readonly JsonSerializerOptions CanonicalJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>PostgreSQL keeps microseconds: hash exactly what is stored.</summary>
    private static DateTimeOffset TruncateToMicroseconds(DateTimeOffset t) =>
        new(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero);
}
