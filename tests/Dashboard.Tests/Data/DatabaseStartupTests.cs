using Dashboard.Data;

namespace Dashboard.Tests.Data;

public class DatabaseStartupTests
{
    [Fact]
    public void Outside_Development_a_missing_connection_string_stops_the_start_with_a_clear_message()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DatabaseStartup.Decide(null, isDevelopment: false));

        Assert.Contains("ConnectionStrings:Dashboard is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("only started in Development", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_Development_a_blank_connection_string_counts_as_missing()
    {
        Assert.Throws<InvalidOperationException>(() => DatabaseStartup.Decide("   ", isDevelopment: false));
    }

    [Fact]
    public void In_Development_without_a_connection_string_the_embedded_database_starts()
    {
        Assert.Equal(DatabaseSourceKind.Embedded, DatabaseStartup.Decide(null, isDevelopment: true));
        Assert.Equal(DatabaseSourceKind.Embedded, DatabaseStartup.Decide("", isDevelopment: true));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void With_a_connection_string_it_is_used_and_nothing_is_started(bool isDevelopment)
    {
        Assert.Equal(DatabaseSourceKind.Configured, DatabaseStartup.Decide("Host=db;Database=dashboard", isDevelopment));
    }
}
