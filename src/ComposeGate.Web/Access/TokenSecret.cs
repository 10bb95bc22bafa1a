using System.Security.Cryptography;
using System.Text;

namespace ComposeGate.Web.Access;

/// <summary>
/// Token secrets: 256 random bits, shown once, stored only as SHA-256. A slow password hash buys nothing
/// for secrets with this much entropy, and a fast one keeps every API call cheap.
/// </summary>
internal static class TokenSecret
{
    public const string Scheme = "cg_";
    public const int PrefixLength = 8;

    public static string New() =>
        Scheme + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>What people see of a minted token: its scheme and a few characters.</summary>
    public static string PrefixOf(string secret) => secret[..Math.Min(PrefixLength, secret.Length)];

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
