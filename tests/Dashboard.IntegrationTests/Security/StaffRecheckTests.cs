using System.Net;
using Dashboard.Testing;

namespace Dashboard.IntegrationTests.Security;

public class StaffRecheckTests
{
    [Fact]
    public async Task A_session_ends_at_the_next_request_once_the_staff_record_is_deactivated_or_changes_role()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("recheck");
        await using var app = new DashboardApp(connectionString)
        {
            SeedDemo = true,
            Settings = new Dictionary<string, string?> { ["SignIn:RecheckSeconds"] = "0" },
        }.Start();
        async Task<HttpClient> SignedInAsync(string login)
        {
            var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
            Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync(new Uri($"/account/dev-sign-in?user={login}", UriKind.Relative))).StatusCode);
            return client;
        }

        using var officer2 = await SignedInAsync("officer2");
        using var officer3 = await SignedInAsync("officer3");
        using var bystander = await SignedInAsync("officer5");
        Assert.Equal(HttpStatusCode.OK, (await officer2.GetAsync(new Uri("/subjects", UriKind.Relative))).StatusCode);

        await Sql.ExecuteAsync(connectionString, "UPDATE staff SET active = false WHERE login_name = 'officer2'");
        await Sql.ExecuteAsync(connectionString, "UPDATE staff SET role = 'Auditor' WHERE login_name = 'officer3'");
        var deactivated = await officer2.GetAsync(new Uri("/subjects", UriKind.Relative));
        var changedRole = await officer3.GetAsync(new Uri("/subjects", UriKind.Relative));
        var deactivatedAgain = await officer2.GetAsync(new Uri("/subjects", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, deactivated.StatusCode);
        Assert.Equal("/account/sign-in", deactivated.Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.Redirect, changedRole.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, deactivatedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bystander.GetAsync(new Uri("/subjects", UriKind.Relative))).StatusCode);
    }
}
