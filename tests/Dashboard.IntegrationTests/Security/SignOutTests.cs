using System.Net;
using System.Text.RegularExpressions;
using Dashboard.Testing;

namespace Dashboard.IntegrationTests.Security;

public partial class SignOutTests(SeededApp fixture) : IClassFixture<SeededApp>
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [Fact]
    public async Task Sign_out_from_another_site_without_the_form_token_is_refused_and_the_session_stays()
    {
        using var client = await fixture.SignedInClientAsync("officer1");

        var forged = await client.PostAsync(new Uri("/account/sign-out", UriKind.Relative), new FormUrlEncodedContent([]));
        var stillIn = await client.GetAsync(new Uri("/subjects", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);

        var token = TokenField().Match(await stillIn.Content.ReadAsStringAsync()).Groups[1].Value;
        var signOut = await client.PostAsync(new Uri("/account/sign-out", UriKind.Relative),
            new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(token))]));
        var afterwards = await client.GetAsync(new Uri("/subjects", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/account/signed-out", signOut.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
    }
}
