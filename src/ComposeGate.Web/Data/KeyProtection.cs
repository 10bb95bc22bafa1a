using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ComposeGate.Web.Data;

/// <summary>
/// <c>ComposeGate:DataProtection</c>: a certificate whose RSA key encrypts the data-protection keys at rest (the keys
/// that sign sign-in cookies and antiforgery tokens). Either a PEM certificate with <c>CertificateKey</c>, its PEM
/// private key (or the key in the same file; <c>CertificatePassword</c> for an encrypted key), or a PKCS#12 (PFX)
/// file opened with <c>CertificatePassword</c>. Without it the keys are stored as plain XML in the 0600 key files.
/// </summary>
public sealed class KeyProtectionOptions
{
    public const string Section = "ComposeGate:DataProtection";

    public string? Certificate { get; set; }
    public string? CertificateKey { get; set; }
    public string? CertificatePassword { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Certificate);

    /// <summary>Every problem with the settings, each naming its key; the certificate is opened to check it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enabled)
        {
            if (!string.IsNullOrEmpty(CertificateKey) || !string.IsNullOrEmpty(CertificatePassword))
            {
                errors.Add($"{Section}:CertificateKey and :CertificatePassword need {Section}:Certificate.");
            }
            return errors;
        }
        using var certificate = Open(errors);
        return errors;
    }

    /// <summary>The configured certificate, or null with the reasons added to <paramref name="errors"/>.</summary>
    public X509Certificate2? Open(List<string> errors)
    {
        var certificateReadable = Readable(Certificate!, "Certificate", errors);
        var keyReadable = string.IsNullOrEmpty(CertificateKey) || Readable(CertificateKey, "CertificateKey", errors);
        if (!certificateReadable || !keyReadable)
        {
            return null;
        }
        X509Certificate2 certificate;
        try
        {
            certificate = IsPem(Certificate!) ? OpenPem() : X509CertificateLoader.LoadPkcs12FromFile(Certificate!, CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            errors.Add($"{Section}:Certificate '{Certificate}' does not open as a PEM certificate with its private key (in the file or in "
                + $"{Section}:CertificateKey) or as a PKCS#12 file with {Section}:CertificatePassword: {e.Message}");
            return null;
        }
        var problem = !certificate.HasPrivateKey ? "has no private key"
            : certificate.GetRSAPrivateKey() is null ? "does not hold an RSA key (the keys are encrypted with RSA)"
            : null;
        if (problem is null)
        {
            return certificate;
        }
        errors.Add($"{Section}:Certificate '{Certificate}' {problem}.");
        certificate.Dispose();
        return null;
    }

    private X509Certificate2 OpenPem()
    {
        var key = string.IsNullOrEmpty(CertificateKey) ? null : CertificateKey;
        return string.IsNullOrEmpty(CertificatePassword)
            ? X509Certificate2.CreateFromPemFile(Certificate!, key)
            : X509Certificate2.CreateFromEncryptedPemFile(Certificate!, CertificatePassword, key);
    }

    /// <summary>PEM is text with armour lines (openssl may put attributes before them); anything else is taken for PKCS#12.</summary>
    private static bool IsPem(string path) => File.ReadAllBytes(path).AsSpan().IndexOf("-----BEGIN CERTIFICATE-----"u8) >= 0;

    private static bool Readable(string path, string key, List<string> errors)
    {
        try
        {
            using var file = File.OpenRead(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors.Add($"{Section}:{key} '{path}' cannot be read: {e.Message}");
            return false;
        }
    }
}
