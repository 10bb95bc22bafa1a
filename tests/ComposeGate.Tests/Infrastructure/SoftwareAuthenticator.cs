using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ComposeGate.Tests.Infrastructure;

/// <summary>
/// A WebAuthn authenticator holding one discoverable, user-verified ES256 passkey, answering the options the app hands
/// a browser as a browser would pass on its authenticator's answer (the JSON of a <c>PublicKeyCredential</c>), with
/// "none" attestation. A fake at the process boundary: the browser tests use Chromium's own virtual authenticator.
/// </summary>
public sealed class SoftwareAuthenticator(string origin = "http://localhost") : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private uint signCount;
    private byte[]? userHandle;

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(16);

    /// <summary>Answers <c>navigator.credentials.create()</c> options: a new passkey for the options' user.</summary>
    public string Create(string creationOptionsJson)
    {
        var options = JsonNode.Parse(creationOptionsJson)!;
        userHandle = Base64Url.DecodeFromChars(options["user"]!["id"]!.GetValue<string>());
        var clientData = ClientData("webauthn.create", options["challenge"]!.GetValue<string>());
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var credentialKey = new Cbor().Map(5)
            .Int(1).Int(2) // kty: EC2
            .Int(3).Int(-7) // alg: ES256
            .Int(-1).Int(1) // crv: P-256
            .Int(-2).Bytes(parameters.Q.X!)
            .Int(-3).Bytes(parameters.Q.Y!)
            .ToArray();
        byte[] attestedCredential = [.. new byte[16], .. BigEndian((ushort)CredentialId.Length), .. CredentialId, .. credentialKey];
        var authenticatorData = AuthenticatorData(RpId(options["rp"]!["id"]), Flags.UserPresent | Flags.UserVerified | Flags.AttestedCredential, attestedCredential);
        var attestation = new Cbor().Map(3)
            .Text("fmt").Text("none")
            .Text("attStmt").Map(0)
            .Text("authData").Bytes(authenticatorData)
            .ToArray();
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Encode(clientData),
            ["attestationObject"] = Encode(attestation),
            ["authenticatorData"] = Encode(authenticatorData),
            ["publicKey"] = Encode(key.ExportSubjectPublicKeyInfo()),
            ["publicKeyAlgorithm"] = -7,
            ["transports"] = new JsonArray("internal"),
        });
    }

    /// <summary>Answers <c>navigator.credentials.get()</c> options with this passkey, signed as an authenticator signs.</summary>
    public string Get(string requestOptionsJson)
    {
        var options = JsonNode.Parse(requestOptionsJson)!;
        var clientData = ClientData("webauthn.get", options["challenge"]!.GetValue<string>());
        var authenticatorData = AuthenticatorData(RpId(options["rpId"]), Flags.UserPresent | Flags.UserVerified, []);
        var signature = key.SignData([.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence);
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Encode(clientData),
            ["authenticatorData"] = Encode(authenticatorData),
            ["signature"] = Encode(signature),
            ["userHandle"] = userHandle is null ? null : Encode(userHandle),
        });
    }

    public void Dispose() => key.Dispose();

    private byte[] ClientData(string type, string challenge) => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["type"] = type,
        ["challenge"] = challenge,
        ["origin"] = origin,
        ["crossOrigin"] = false,
    });

    // The relying party is the site's host unless the options name one.
    private string RpId(JsonNode? named) => named?.GetValue<string>() ?? new Uri(origin).Host;

    private byte[] AuthenticatorData(string rpId, Flags flags, byte[] attestedCredential) =>
        [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), (byte)flags, .. BigEndian(++signCount), .. attestedCredential];

    private string Credential(JsonObject response) => new JsonObject
    {
        ["id"] = Encode(CredentialId),
        ["rawId"] = Encode(CredentialId),
        ["type"] = "public-key",
        ["authenticatorAttachment"] = "platform",
        ["response"] = response,
        ["clientExtensionResults"] = new JsonObject(),
    }.ToJsonString();

    private static string Encode(byte[] bytes) => Base64Url.EncodeToString(bytes);

    private static byte[] BigEndian(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    [Flags]
    private enum Flags : byte
    {
        UserPresent = 0x01,
        UserVerified = 0x04,
        AttestedCredential = 0x40,
    }

    /// <summary>The few CBOR items (RFC 8949) an attestation needs: small integers, byte and text strings, maps.</summary>
    private sealed class Cbor
    {
        private readonly MemoryStream buffer = new();

        public Cbor Int(int value) => value >= 0 ? Head(0, (ulong)value) : Head(1, (ulong)(-1 - value));

        public Cbor Bytes(byte[] value) => String(2, value);

        public Cbor Text(string value) => String(3, Encoding.UTF8.GetBytes(value));

        public Cbor Map(int pairs) => Head(5, (ulong)pairs);

        public byte[] ToArray() => buffer.ToArray();

        private Cbor String(byte major, byte[] value)
        {
            Head(major, (ulong)value.Length);
            buffer.Write(value);
            return this;
        }

        private Cbor Head(byte major, ulong argument)
        {
            var type = (byte)(major << 5);
            if (argument < 24)
            {
                buffer.WriteByte((byte)(type | argument));
            }
            else if (argument <= byte.MaxValue)
            {
                buffer.WriteByte((byte)(type | 24));
                buffer.WriteByte((byte)argument);
            }
            else
            {
                buffer.WriteByte((byte)(type | 25));
                buffer.Write(BigEndian((ushort)argument));
            }
            return this;
        }
    }
}
