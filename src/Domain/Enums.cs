namespace Dashboard.Domain;

/// <summary>The role a member of staff signs in with.</summary>
public enum StaffRole
{
    Officer,
    Supervisor,
    Auditor,
}

/// <summary>What the matching policy made of a check-in, or that none arrived in time.</summary>
public enum CheckInOutcome
{
    Verified,
    Borderline,
    Failed,
    Missed,
}

/// <summary>A reviewer's decision on a borderline check-in.</summary>
public enum ReviewDecision
{
    SamePersonNoConcern,
    SamePersonWithConcern,
    NotSamePerson,
    CannotTell,
}

public enum PromptStatus
{
    Pending,
    Answered,
    Missed,
    Cancelled,
}

public enum PromptOrigin
{
    Scheduled,
    Reprompt,
}

public enum ZoneKind
{
    Exclusion,
    Inclusion,
}

public enum DeviceEventKind
{
    StrapTamper,
    LowBattery,
    NoGpsFix,
    SignalLost,
    PowerOff,
    PowerOn,
    Charging,
}

public enum AlertKind
{
    MissedCheckIn,
    IdentityNotVerified,
    WelfareConcern,
    ExclusionZoneEntered,
    InclusionZoneLeft,
    DeviceTamper,
    DeviceOffline,
    LowBattery,
    NoGpsFix,
}

public enum AlertState
{
    Open,
    Acknowledged,
    Dismissed,
    BreachProposed,
    Covered,
    Closed,
}

public enum BreachState
{
    Proposed,
    Confirmed,
    Rejected,
    Withdrawn,
}

public enum PhotoKind
{
    Reference,
    CheckIn,
}

/// <summary>Where a proposed change to the matching thresholds stands (four-eyes: a different supervisor decides).</summary>
public enum ProposalState
{
    Proposed,
    Approved,
    Rejected,
    Withdrawn,
}

/// <summary>What a periodic proportionality review decided about the monitoring.</summary>
public enum MonitoringReviewOutcome
{
    Continue,
    Vary,
    End,
}
