using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dashboard.Testing;

namespace Dashboard.IntegrationTests.Security;

public class DataProtectionKeyTests
{
    [Fact]
    public async Task With_a_certificate_configured_the_keys_behind_sign_in_cookies_are_stored_encrypted_and_sign_in_still_works()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync("dpkeys");
        var pfx = Path.Combine(Path.GetTempPath(), $"dashboard-dp-{Guid.NewGuid():N}.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=Caseworker dashboard key protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test-only"));
        }

        try
        {
            await using var app = new DashboardApp(connectionString)
            {
                SeedDemo = true,
                Settings = new Dictionary<string, string?>
                {
                    ["DataProtection:CertificatePath"] = pfx,
                    ["DataProtection:CertificatePassword"] = "test-only",
                },
            }.Start();
            using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });

            var signIn = await client.GetAsync(new Uri("/account/dev-sign-in?user=officer1", UriKind.Relative));
            var home = await client.GetAsync(new Uri("/", UriKind.Relative));

            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            var key = (string)(await Sql.ScalarAsync(connectionString, "SELECT xml FROM data_protection_keys ORDER BY id LIMIT 1"))!;
            Assert.Contains("EncryptedXmlDecryptor", key, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", key, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(pfx);
        }
    }
}
