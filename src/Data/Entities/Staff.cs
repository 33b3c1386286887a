using Dashboard.Domain;

namespace Dashboard.Data.Entities;

public sealed class Team
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
}

/// <summary>A person who signs in: an officer, a supervisor or an auditor.</summary>
public sealed class StaffMember
{
    public Guid Id { get; set; }
    /// <summary>The development sign-in name (officer1, supervisor1, ...).</summary>
    public required string LoginName { get; set; }
    public required string DisplayName { get; set; }
    public StaffRole Role { get; set; }
    /// <summary>Officers and supervisors belong to a team; auditors to none.</summary>
    public Guid? TeamId { get; set; }
    /// <summary>The Entra ID object id (oid claim) the member signs in with.</summary>
    public string? EntraObjectId { get; set; }
    public bool Active { get; set; } = true;
}
