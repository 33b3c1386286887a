using System.Security.Cryptography;
using System.Text;
using Dashboard.Data;
using Dashboard.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Dashboard.Ingestion;

/// <summary>An integration partner that presented a valid key.</summary>
public sealed record IngestCaller(Guid ClientId, string Name, string KeyPrefix);

/// <summary>
/// Ingest keys: <c>dk_&lt;prefix&gt;_&lt;secret&gt;</c>. Only a salted SHA-256 of each key is stored; the key
/// itself is shown once, when it is created. Keys are long and random, so a fast hash is enough; the
/// salt keeps equal keys from having equal hashes.
/// </summary>
public sealed class IngestKeys(IDbContextFactory<DashboardDb> dbFactory, IMemoryCache cache, TimeProvider clock)
{
    /// <summary>A validated key is trusted this long before it is checked again (revocation on other instances takes this long).</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private const int PrefixLength = 8;

    /// <summary>Creates a client with a new random key; returns the key, which is never shown again.</summary>
    public async Task<(IngestClient Client, string Key)> CreateAsync(string name, CancellationToken ct) =>
        await CreateAsync(name, NewKey(), ct);

    /// <summary>Creates a client for a given key (the configured demo key); does nothing if it exists.</summary>
    public async Task<(IngestClient Client, string Key)> CreateAsync(string name, string key, CancellationToken ct)
    {
        var prefix = PrefixOf(key) ?? throw new ArgumentException("An ingest key looks like dk_<8 characters>_<secret>.", nameof(key));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var existing in await db.IngestClients.Where(c => c.KeyPrefix == prefix).ToListAsync(ct))
        {
            if (Matches(existing, key))
            {
                return (existing, key);
            }
        }

        var client = NewClient(name, key);
        db.IngestClients.Add(client);
        await db.SaveChangesAsync(ct);
        return (client, key);
    }

    /// <summary>A client row for a key (salted hash only), not yet saved: for callers that save it in their own transaction.</summary>
    public IngestClient NewClient(string name, string key)
    {
        var prefix = PrefixOf(key) ?? throw new ArgumentException("An ingest key looks like dk_<8 characters>_<secret>.", nameof(key));
        var salt = RandomNumberGenerator.GetBytes(16);
        return new IngestClient
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            KeyPrefix = prefix,
            KeySalt = salt,
            KeyHash = Hash(salt, key),
            CreatedAt = clock.GetUtcNow(),
        };
    }

    /// <summary>Forgets the keys this instance validated, so a revocation takes effect here at once.</summary>
    public void ForgetValidatedKeys()
    {
        if (cache is MemoryCache memory)
        {
            memory.Clear();
        }
    }

    public async Task RevokeAsync(Guid clientId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.IngestClients.Where(c => c.Id == clientId && c.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.RevokedAt, clock.GetUtcNow()), ct);
        // This instance forgets at once; others within CacheFor.
        if (cache is MemoryCache memory)
        {
            memory.Clear();
        }
    }

    /// <summary>The caller a presented key belongs to, or null when it is unknown, malformed or revoked.</summary>
    public async Task<IngestCaller?> ValidateAsync(string presented, CancellationToken ct)
    {
        var prefix = PrefixOf(presented);
        if (prefix is null)
        {
            return null;
        }

        var cacheKey = "ingest-key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
        if (cache.TryGetValue(cacheKey, out IngestCaller? cached))
        {
            return cached;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var candidates = await db.IngestClients.AsNoTracking().Where(c => c.KeyPrefix == prefix && c.RevokedAt == null).ToListAsync(ct);
        var client = candidates.FirstOrDefault(c => Matches(c, presented));
        if (client is null)
        {
            return null;
        }

        var caller = new IngestCaller(client.Id, client.Name, client.KeyPrefix);
        cache.Set(cacheKey, caller, CacheFor);
        return caller;
    }

    public static string NewKey()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        return $"dk_{RandomNumberGenerator.GetString(alphabet, PrefixLength)}_{RandomNumberGenerator.GetString(alphabet, 40)}";
    }

    private static string? PrefixOf(string key)
    {
        var parts = key.Split('_');
        return parts.Length == 3 && parts[0] == "dk" && parts[1].Length == PrefixLength && parts[2].Length >= 24 ? parts[1] : null;
    }

    private static bool Matches(IngestClient client, string key) =>
        CryptographicOperations.FixedTimeEquals(client.KeyHash, Hash(client.KeySalt, key));

    private static byte[] Hash(byte[] salt, string key)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var buffer = new byte[salt.Length + keyBytes.Length];
        salt.CopyTo(buffer, 0);
        keyBytes.CopyTo(buffer, salt.Length);
        return SHA256.HashData(buffer);
    }
}
