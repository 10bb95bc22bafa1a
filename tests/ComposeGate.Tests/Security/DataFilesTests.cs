using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace ComposeGate.Tests.Security;

/// <summary>
/// The data folder (database, WAL, data-protection keys) belongs to the service account alone, in a new installation
/// and in one created before that rule; with a certificate configured the keys are encrypted at rest, and sign-in
/// cookies still survive a restart.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFilesTests : IDisposable
{
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string root = Path.Combine(Path.GetTempPath(), "composegate-datafiles", Guid.NewGuid().ToString("N"));
    private string DataDir => Path.Combine(root, "data");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Start_NewInstallation_EveryDataFileIsTheServiceAccountsOnly()
    {
        using var app = Start();
        await UseKeysAndDatabaseAsync(app);

        AssertOwnerOnly();
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Restart_ExistingInstallationWithOpenFiles_TightensEveryMode()
    {
        using (var first = Start())
        {
            await UseKeysAndDatabaseAsync(first);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        // What an installation from before the rule looks like under the usual umask 022.
        foreach (var entry in Entries())
        {
            File.SetUnixFileMode(entry, Directory.Exists(entry) ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100);
        }
        File.SetUnixFileMode(DataDir, (UnixFileMode)0b111_101_101);
        Assert.Contains(Entries(), e => (File.GetUnixFileMode(e) & UnixFileMode.OtherRead) != 0);

        using var second = Start();
        await UseKeysAndDatabaseAsync(second);

        AssertOwnerOnly();
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Certificate_KeysAreEncryptedAtRest_AndASignInCookieSurvivesARestart()
    {
        var (pem, key, pfx) = WriteCertificate();
        var cookies = new System.Net.CookieContainer();
        using (var first = Start(new()
        {
            ["ComposeGate:DataProtection:Certificate"] = pem,
            ["ComposeGate:DataProtection:CertificateKey"] = key,
        }))
        {
            using var browser = first.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
            Assert.Equal(HttpStatusCode.Redirect, (await CookieSignInTests.SignInAsync(browser, "admin", ComposeGateFactory.AdminPassword)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/me")).StatusCode);
        }

        var keyFiles = Directory.GetFiles(Path.Combine(DataDir, "keys"), "*.xml");
        Assert.NotEmpty(keyFiles);
        foreach (var file in keyFiles)
        {
            var xml = await File.ReadAllTextAsync(file);
            Assert.Contains("<encryptedSecret", xml);
            Assert.Contains("EncryptedData", xml);
            Assert.DoesNotContain("<masterKey", xml);
            Assert.DoesNotContain("unencrypted", xml, StringComparison.OrdinalIgnoreCase);
        }

        // The same certificate as a PKCS#12 file decrypts the keys written with the PEM form.
        using var second = Start(new()
        {
            ["ComposeGate:DataProtection:Certificate"] = pfx,
            ["ComposeGate:DataProtection:CertificatePassword"] = "pfx-password",
        });
        using var again = second.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
        var me = await again.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("admin", (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        AssertOwnerOnly();
    }

    [Fact]
    public void Validate_UnusableCertificate_ReportsEveryErrorAtOnce()
    {
        var (pem, _, _) = WriteCertificate();
        var validator = new ComposeGateOptionsValidator();
        var options = new ComposeGateOptions { Bootstrap = new BootstrapOptions { AdminToken = "too-short" } };

        options.DataProtection = new() { Certificate = Path.Combine(root, "missing.pem"), CertificateKey = Path.Combine(root, "missing.key") };
        var missing = validator.Validate(null, options).Failures!.ToList();
        options.DataProtection = new() { Certificate = pem };
        var withoutKey = validator.Validate(null, options).Failures!.ToList();
        options.DataProtection = new() { CertificatePassword = "orphan" };
        var orphan = validator.Validate(null, options).Failures!.ToList();

        Assert.Contains(missing, e => e.Contains("ComposeGate:DataProtection:Certificate") && e.Contains("cannot be read"));
        Assert.Contains(missing, e => e.Contains("ComposeGate:DataProtection:CertificateKey") && e.Contains("cannot be read"));
        Assert.Contains(missing, e => e.Contains("AdminToken"));
        Assert.Contains(withoutKey, e => e.Contains("ComposeGate:DataProtection:Certificate") && e.Contains("private key"));
        Assert.Contains(orphan, e => e.Contains("need ComposeGate:DataProtection:Certificate"));
    }

    [Fact]
    public void Start_UnusableCertificate_FailsWithTheReason()
    {
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:DataDir"] = DataDir;
        app.Settings["ComposeGate:DataProtection:Certificate"] = Path.Combine(root, "missing.pem");

        var error = Record.Exception(() => app.CreateClient().Dispose());

        Assert.NotNull(error);
        Assert.Contains("ComposeGate:DataProtection:Certificate", error.ToString());
        Assert.Empty(Directory.Exists(Path.Combine(DataDir, "keys")) ? Directory.GetFiles(Path.Combine(DataDir, "keys")) : []);
    }

    private ComposeGateFactory Start(Dictionary<string, string?>? settings = null)
    {
        var app = new ComposeGateFactory();
        app.Settings["ComposeGate:DataDir"] = DataDir;
        foreach (var (key, value) in settings ?? [])
        {
            app.Settings[key] = value;
        }
        app.CreateClient().Dispose();
        return app;
    }

    /// <summary>A sign-in page (which makes the first data-protection key) and a write, so the WAL files exist.</summary>
    private static async Task UseKeysAndDatabaseAsync(ComposeGateFactory app)
    {
        using var anonymous = app.CreateClient(bearer: null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/Account/Login")).StatusCode);
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync("files-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(app.Settings["ComposeGate:DataDir"]!, "keys"), "*.xml"));
    }

    private void AssertOwnerOnly()
    {
        // Another test's app, stopping, clears every SQLite pool in the process (ClearAllPools), and SQLite removes the
        // WAL when the last connection closes: an open connection keeps the database as a running app has it.
        using var open = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(DataDir, "composegate.db")}");
        open.Open();
        using (var read = open.CreateCommand())
        {
            read.CommandText = "SELECT count(*) FROM sqlite_master";
            read.ExecuteScalar();
        }
        Assert.Equal(OwnerFolder, File.GetUnixFileMode(DataDir));
        foreach (var required in new[] { "keys", "tmp", "composegate.db", "composegate.db-wal", "composegate.db-shm" })
        {
            Assert.True(Path.Exists(Path.Combine(DataDir, required)), $"{required} is missing");
        }
        foreach (var entry in Entries())
        {
            Assert.True(File.GetUnixFileMode(entry) == (Directory.Exists(entry) ? OwnerFolder : OwnerFile),
                $"{Path.GetRelativePath(DataDir, entry)} is {Convert.ToString((int)File.GetUnixFileMode(entry), 8)}");
        }
    }

    private IEnumerable<string> Entries() => Directory.EnumerateFileSystemEntries(DataDir, "*", SearchOption.AllDirectories);

    /// <summary>A self-signed RSA certificate, as a PEM certificate with its PEM key and as a password-protected PKCS#12 file.</summary>
    private (string Pem, string Key, string Pfx) WriteCertificate()
    {
        Directory.CreateDirectory(root);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ComposeGate data protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var pem = Path.Combine(root, "keys.crt");
        var key = Path.Combine(root, "keys.key");
        var pfx = Path.Combine(root, "keys.pfx");
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        File.WriteAllText(key, rsa.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, "pfx-password"));
        return (pem, key, pfx);
    }
}
