using Dashboard.Audit;
using Dashboard.Data.Entities;

namespace Dashboard.Tests.Audit;

public class AuditHashTests
{
    private static AuditEvent Row(string detail) => new()
    {
        At = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero).AddTicks(1230),
        ActorName = "Amira Hassan",
        Action = "photo-viewed",
        Detail = detail,
        PreviousHash = AuditLog.GenesisHash,
        Hash = [],
    };

    [Fact]
    public void Changing_any_content_changes_the_hash()
    {
        Assert.NotEqual(AuditLog.ComputeHash(AuditLog.GenesisHash, Row("a")), AuditLog.ComputeHash(AuditLog.GenesisHash, Row("b")));
    }

    [Fact]
    public void The_hash_depends_on_the_previous_row()
    {
        var other = new byte[32];
        other[0] = 1;

        Assert.NotEqual(AuditLog.ComputeHash(AuditLog.GenesisHash, Row("a")), AuditLog.ComputeHash(other, Row("a")));
    }

    [Fact]
    public void The_canonical_form_is_pinned_so_old_rows_still_verify_after_an_upgrade()
    {
        // Computed independently: sha256(32 zero bytes + the UTF-8 of the JSON array, only required escapes).
        var row = Row("Zoë said \"no\" + <left>");

        Assert.Equal("BE0826725643DBAADD00BE57FD9A739A6F347B071ECE0C09CAD120B5B0D8E8C1", Convert.ToHexString(AuditLog.ComputeHash(AuditLog.GenesisHash, row)));
    }

    [Fact]
    public void The_hash_is_stable_for_the_same_content()
    {
        Assert.Equal(AuditLog.ComputeHash(AuditLog.GenesisHash, Row("a")), AuditLog.ComputeHash(AuditLog.GenesisHash, Row("a")));
    }
}
