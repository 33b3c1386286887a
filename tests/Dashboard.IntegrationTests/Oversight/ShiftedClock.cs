namespace Dashboard.IntegrationTests.Oversight;

/// <summary>The system clock moved forward by <see cref="Shift"/>: a second app instance that lives a little in the future.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Shift { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
}
