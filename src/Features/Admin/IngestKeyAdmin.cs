using Dashboard.Audit;
using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Ingestion;
using Dashboard.Security;
using Microsoft.EntityFrameworkCore;

namespace Dashboard.Features.Admin;

/// <summary>
/// Supervisors manage the device platforms' ingest keys: list them, create one (the key is returned once
/// and only its salted hash is stored), revoke one. Each change is audited in its own transaction, by
/// prefix and name, never with the key. Officers and auditors are refused.
/// </summary>
public sealed class IngestKeyAdmin(AccessRefusals refusals, IDbContextFactory<DashboardDb> dbFactory, IngestKeys keys, AuditLog audit, TimeProvider clock)
{
    public const string CreatedAction = "ingest-key-created";
    public const string RevokedAction = "ingest-key-revoked";
    public const int MaxNameLength = 100;

    public sealed record Key(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

    public abstract record Result
    {
        /// <summary>Created: <paramref name="Secret"/> is the key, shown this once.</summary>
        public sealed record Created(Key Key, string Secret) : Result;

        public sealed record Revoked(Key Key) : Result;

        public sealed record NotFound : Result;

        public sealed record Refused(string Message) : Result;
    }

    private static string? Refusal(CurrentUser user) =>
        user.Role == StaffRole.Supervisor ? null : "Only supervisors manage ingest keys.";

    /// <summary>Every key, newest first; null for anyone but a supervisor.</summary>
    public async Task<IReadOnlyList<Key>?> ListAsync(CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (Refusal(user) is not null)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.IngestClients.AsNoTracking()
            .OrderBy(c => c.RevokedAt != null).ThenByDescending(c => c.CreatedAt)
            .Select(c => new Key(c.Id, c.Name, c.KeyPrefix, c.CreatedAt, c.RevokedAt))
            .ToListAsync(ct);
    }

    public async Task<Result> CreateAsync(string? name, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (Refusal(user) is { } refusal)
        {
            await refusals.RoleAsync(user, "managing ingest keys", null, null, null, ct);
            return new Result.Refused(refusal);
        }

        name = name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return new Result.Refused("Name the device platform the key is for.");
        }

        if (name.Length > MaxNameLength)
        {
            return new Result.Refused($"Keep the name under {MaxNameLength} characters.");
        }

        var secret = IngestKeys.NewKey();
        var client = keys.NewClient(name, secret);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.IngestClients.Add(client);
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, CreatedAction, null, "ingest-client", client.Id.ToString(),
            $"Ingest key {client.KeyPrefix} created for \"{name}\"."), ct);
        await tx.CommitAsync(ct);
        return new Result.Created(new Key(client.Id, client.Name, client.KeyPrefix, client.CreatedAt, null), secret);
    }

    public async Task<Result> RevokeAsync(Guid id, CurrentUser user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (Refusal(user) is { } refusal)
        {
            await refusals.RoleAsync(user, "managing ingest keys", null, null, null, ct);
            return new Result.Refused(refusal);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var client = await db.IngestClients.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (client is null)
        {
            return new Result.NotFound();
        }

        if (client.RevokedAt is not null)
        {
            return new Result.Refused("This key is already revoked.");
        }

        client.RevokedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await audit.AppendAsync(db, new AuditEntry(user.Id, user.Name, RevokedAction, null, "ingest-client", client.Id.ToString(),
            $"Ingest key {client.KeyPrefix} of \"{client.Name}\" revoked: the platform's requests are refused from now on."), ct);
        await tx.CommitAsync(ct);
        // This instance refuses the key at once; others within IngestKeys.CacheFor.
        keys.ForgetValidatedKeys();
        return new Result.Revoked(new Key(client.Id, client.Name, client.KeyPrefix, client.CreatedAt, client.RevokedAt));
    }
}
