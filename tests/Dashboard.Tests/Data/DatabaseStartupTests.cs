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

public class DatabaseLoginsTests
{
    [Fact]
    public void The_embedded_runtime_login_is_the_owners_connection_as_dashboard_app_without_a_password()
    {
        var runtime = DatabaseStartup.RuntimeConnectionFor("Host=/tmp/pg;Port=5432;Username=postgres;Password=secret;Database=dashboard");

        var logins = new DatabaseLogins(runtime, "Host=/tmp/pg;Username=postgres;Database=dashboard");
        Assert.Equal("dashboard_app", logins.RuntimeRole);
        Assert.DoesNotContain("secret", runtime, StringComparison.Ordinal);
        Assert.Contains("Database=dashboard", runtime, StringComparison.Ordinal);
        Assert.True(logins.SeparateRuntimeRole);
    }

    [Fact]
    public void One_login_for_both_or_no_owner_means_there_is_nothing_to_narrow()
    {
        Assert.False(new DatabaseLogins("Host=db;Username=dashboard", "Host=db;Username=dashboard").SeparateRuntimeRole);
        Assert.False(new DatabaseLogins("Host=db;Username=dashboard", null).SeparateRuntimeRole);
    }

    [Theory]
    [InlineData("dashboard_app; DROP TABLE subjects")]
    [InlineData("Dashboard")]
    [InlineData("")]
    public void A_runtime_login_that_is_not_a_plain_role_name_is_refused(string role) =>
        Assert.Throws<InvalidOperationException>(() => DatabaseStartup.ValidRoleName(role));
}
