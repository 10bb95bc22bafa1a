using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ComposeGate.Web.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Promotion.Registry;

/// <summary>A manifest as the registry serves it: its digest, media type, platforms and size in bytes.</summary>
/// <param name="Platforms">
/// <c>os/architecture[/variant]</c>: every entry of an index or manifest list (attestation manifests left out),
/// or the platform in a single image's config blob; empty for artifacts whose config is not an image config.
/// </param>
public sealed record ManifestInfo(string Digest, string MediaType, IReadOnlyList<string> Platforms, long Size);

/// <summary>What a retag did: nothing when the tag already pointed at the digest; the tag's previous digest; a log for people.</summary>
public sealed record RetagOutcome(bool AlreadyTagged, string? PreviousDigest, string Log);

/// <summary>
/// Reads manifests from an OCI / Docker registry (distribution-spec v1.1 API) and points a tag at an existing digest
/// without moving layers. Speaks token auth (Bearer) and Basic auth; settings per registry come from
/// <see cref="RegistryOptions"/>.
/// </summary>
/// <remarks>
/// <para>Every manifest is requested with all four manifest media types in <c>Accept</c>: without the index types a
/// registry may answer with one platform's manifest (a different digest) or refuse an OCI index.</para>
/// <para>Manifest bytes are verified against their sha256 digest before they are trusted, and a retag PUTs the
/// unchanged bytes with the media type they were served with, so the tag's digest is the source digest.</para>
/// <para>There are no retries here: failures are classified (<see cref="RegistryException.Transient"/>) and the
/// promotion retries the whole step, which is safe because <see cref="RetagAsync"/> is idempotent.</para>
/// <para>Redirects are followed by hand: <c>Authorization</c> goes only to the origin it was meant for, never to the
/// storage host a blob download is sent to, and never from https down to http.</para>
/// </remarks>
public sealed partial class RegistryClient
{
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Sent in every manifest request's <c>Accept</c>.</summary>
    public static readonly IReadOnlyList<string> ManifestMediaTypes = [OciIndex, DockerManifestList, OciManifest, DockerManifest];

    private static readonly string[] ImageConfigMediaTypes = ["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"];

    // The reference registry refuses manifests over 4 MiB; so does this client, before buffering more.
    private const int MaxManifestBytes = 4 * 1024 * 1024;
    private const int MaxErrorBytes = 64 * 1024;
    private const int MaxRedirects = 5;
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

    private readonly HttpClient http;
    private readonly RegistryOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly RegistryTokenCache tokens;

    public RegistryClient(HttpClient http, IOptions<RegistryOptions> options, ILogger<RegistryClient>? logger = null,
        TimeProvider? time = null, RegistryTokenCache? tokens = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        this.http = http;
        this.options = options.Value;
        this.logger = logger ?? NullLogger<RegistryClient>.Instance;
        this.time = time ?? TimeProvider.System;
        this.tokens = tokens ?? new RegistryTokenCache();
    }

    /// <summary>
    /// The handler the client expects: no automatic redirects (it follows them itself, keeping credentials on their
    /// origin), no cookies, and connections recycled so DNS changes are seen.
    /// </summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <summary>Resolves <paramref name="reference"/> (a tag or a <c>sha256:</c> digest) of <paramref name="image"/> to its manifest.</summary>
    public async Task<ManifestInfo> ResolveAsync(string image, string reference, CancellationToken ct)
    {
        var target = Prepare(image, "pull");
        var isDigest = IsDigest(reference);
        if (!isDigest && !ImageReference.IsValidTag(reference))
        {
            throw Invalid($"'{reference}' is neither a tag nor a sha256 digest (for {target.Image}).");
        }
        var display = Display(target.Image, reference);
        var manifest = await FetchManifestAsync(target, reference, $"Fetching the manifest of {display}", ct);
        var platforms = await PlatformsAsync(target, manifest, display, ct);
        return new ManifestInfo(manifest.Digest, manifest.MediaType, platforms, manifest.Bytes.Length);
    }

    /// <summary>
    /// Points <paramref name="tag"/> of <paramref name="image"/> at the existing manifest <paramref name="digest"/>, in the
    /// same repository: nothing is written when the tag already resolves to it, so a resumed promotion may call this again.
    /// Otherwise the manifest is fetched by digest, verified, PUT unchanged under the tag, and the tag read back.
    /// </summary>
    public async Task<RetagOutcome> RetagAsync(string image, string digest, string tag, CancellationToken ct)
    {
        // One scope for the whole retag: one token instead of a pull token and then a push token.
        var target = Prepare(image, "pull,push");
        if (!IsDigest(digest))
        {
            throw Invalid($"Cannot retag {target.Image}: '{digest}' is not a sha256 digest (sha256: and 64 lower-case hex digits).");
        }
        if (!ImageReference.IsValidTag(tag))
        {
            throw Invalid($"Cannot retag {target.Image}@{digest}: '{tag}' is not a valid tag.");
        }
        var source = $"{target.Image}@{digest}";
        var destination = $"{target.Image}:{tag}";
        var log = new StringBuilder();

        var previous = await TagDigestAsync(target, tag, $"Reading {destination}", ct);
        if (string.Equals(previous, digest, StringComparison.OrdinalIgnoreCase))
        {
            log.AppendLine(CultureInfo.InvariantCulture, $"{destination} already resolves to {digest}; nothing written.");
            logger.LogInformation("Retag of {Image} to {Tag}: already at {Digest}", target.Image, tag, digest);
            return new RetagOutcome(true, previous, log.ToString());
        }
        log.AppendLine(previous is null ? $"{destination} does not exist yet." : $"{destination} currently resolves to {previous}.");

        var manifest = await FetchManifestAsync(target, digest, $"Fetching the manifest {source}", ct);
        log.AppendLine(CultureInfo.InvariantCulture, $"Fetched {source} ({manifest.MediaType}, {manifest.Bytes.Length} bytes); its sha256 matches.");

        var what = $"Pushing {source} as :{tag}";
        var reply = await SendAsync(target, HttpMethod.Put, $"manifests/{tag}", new Payload(manifest.Bytes, manifest.MediaType), accept: false,
            MaxErrorBytes, what, ct);
        EnsureSuccess(reply, what);
        if (reply.DigestHeader is { } stored && IsSha256(stored) && !stored.Equals(digest, StringComparison.OrdinalIgnoreCase))
        {
            throw Mismatch(what, $"the registry stored the manifest as {stored}, not {digest}.");
        }
        log.AppendLine(CultureInfo.InvariantCulture, $"Pushed the unchanged manifest as :{tag} ({manifest.MediaType}).");

        var now = await TagDigestAsync(target, tag, $"Reading back {destination}", ct);
        if (!string.Equals(now, digest, StringComparison.OrdinalIgnoreCase))
        {
            throw new RegistryException(
                $"{what}: afterwards {destination} resolves to {now ?? "nothing"} instead of {digest}; was the tag pushed concurrently?",
                transient: false, status: null);
        }
        log.AppendLine(CultureInfo.InvariantCulture, $"Verified: {destination} now resolves to {digest}.");
        logger.LogInformation("Retagged {Image}@{Digest} as {Tag} (previously {Previous})", target.Image, digest, tag, previous ?? "untagged");
        return new RetagOutcome(false, previous, log.ToString());
    }

    // ---------------------------------------------------------------- manifests

    private sealed record Manifest(byte[] Bytes, string MediaType, string Digest);

    private async Task<Manifest> FetchManifestAsync(Target target, string reference, string what, CancellationToken ct)
    {
        var reply = await SendAsync(target, HttpMethod.Get, $"manifests/{reference}", null, accept: true, MaxManifestBytes, what, ct);
        EnsureSuccess(reply, what);
        var mediaType = ManifestMediaType(reply, what);
        var digest = Sha256(reply.Body);
        if (reply.DigestHeader is { } header && IsSha256(header) && !header.Equals(digest, StringComparison.OrdinalIgnoreCase))
        {
            throw Mismatch(what, $"the registry says the manifest is {header}, but its bytes hash to {digest}.");
        }
        if (IsDigest(reference) && digest != reference)
        {
            throw Mismatch(what, $"the registry served a manifest whose bytes hash to {digest}.");
        }
        return new Manifest(reply.Body, mediaType, digest);
    }

    /// <summary>The served media type; a generic Content-Type falls back to the manifest's own <c>mediaType</c>.</summary>
    private static string ManifestMediaType(Reply reply, string what)
    {
        var served = reply.ContentType;
        if (served is not null && ManifestMediaTypes.Contains(served))
        {
            return served;
        }
        if (served is null or "application/json" or "text/plain" or "application/octet-stream")
        {
            var declared = ReadJson(reply.Body, what).RootElement is { ValueKind: JsonValueKind.Object } root
                && root.TryGetProperty("mediaType", out var field) && field.ValueKind == JsonValueKind.String ? field.GetString() : null;
            if (declared is not null && ManifestMediaTypes.Contains(declared))
            {
                return declared;
            }
        }
        throw new RegistryException(
            $"{what}: unsupported manifest media type '{served ?? "(none)"}'; ComposeGate promotes OCI indexes and manifests "
            + "and Docker manifest lists and v2 manifests (not schema 1).", transient: false, status: reply.Status);
    }

    private async Task<IReadOnlyList<string>> PlatformsAsync(Target target, Manifest manifest, string display, CancellationToken ct)
    {
        using var document = ReadJson(manifest.Bytes, $"Reading the manifest of {display}");
        var root = document.RootElement;
        var platforms = new List<string>();
        if (manifest.MediaType is OciIndex or DockerManifestList)
        {
            if (root.TryGetProperty("manifests", out var entries) && entries.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in entries.EnumerateArray())
                {
                    // BuildKit adds provenance as extra entries with platform unknown/unknown.
                    if (entry.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
                        && annotations.TryGetProperty("vnd.docker.reference.type", out var kind) && kind.GetString() == "attestation-manifest")
                    {
                        continue;
                    }
                    if (entry.TryGetProperty("platform", out var platform) && Platform(platform) is { } name && !platforms.Contains(name))
                    {
                        platforms.Add(name);
                    }
                }
            }
            return platforms;
        }

        if (!root.TryGetProperty("config", out var config) || config.ValueKind != JsonValueKind.Object
            || !config.TryGetProperty("digest", out var digestField) || digestField.GetString() is not { } configDigest || !IsDigest(configDigest)
            || !config.TryGetProperty("mediaType", out var typeField) || !ImageConfigMediaTypes.Contains(typeField.GetString()))
        {
            return platforms;
        }
        var what = $"Fetching the image config {configDigest} of {display}";
        var reply = await SendAsync(target, HttpMethod.Get, $"blobs/{configDigest}", null, accept: false, MaxManifestBytes, what, ct);
        EnsureSuccess(reply, what);
        if (Sha256(reply.Body) is var blobDigest && blobDigest != configDigest)
        {
            throw Mismatch(what, $"the blob's bytes hash to {blobDigest}.");
        }
        using var configDocument = ReadJson(reply.Body, what);
        if (Platform(configDocument.RootElement) is { } single)
        {
            platforms.Add(single);
        }
        return platforms;
    }

    private static string? Platform(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var os = Text(element, "os");
        var architecture = Text(element, "architecture");
        if (os is null || architecture is null)
        {
            return null;
        }
        var variant = Text(element, "variant");
        return variant is null ? $"{os}/{architecture}" : $"{os}/{architecture}/{variant}";
    }

    /// <summary>The digest <paramref name="tag"/> resolves to, or null when the tag (or repository) does not exist.</summary>
    private async Task<string?> TagDigestAsync(Target target, string tag, string what, CancellationToken ct)
    {
        var reply = await SendAsync(target, HttpMethod.Head, $"manifests/{tag}", null, accept: true, 0, what, ct);
        if (reply.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
        EnsureSuccess(reply, what);
        if (reply.DigestHeader is { } digest && IsSha256(digest))
        {
            return digest;
        }
        // Docker-Content-Digest is optional on HEAD; hash the manifest instead.
        return (await FetchManifestAsync(target, tag, what, ct)).Digest;
    }

    // ---------------------------------------------------------------- HTTP, auth and errors

    private sealed record Target(ImageReference Image, RegistryHostOptions Settings, Uri Base, string Scope);

    private sealed record Payload(byte[] Bytes, string MediaType);

    private sealed record Reply(HttpStatusCode Status, string? Reason, string? ContentType, byte[] Body, string? DigestHeader,
        IReadOnlyList<string> Challenges, TimeSpan? RetryAfter);

    private Target Prepare(string image, string actions)
    {
        if (!ImageReference.TryParse(image, out var reference, out var error))
        {
            throw Invalid(error);
        }
        var settings = options.For(reference.Registry);
        var scheme = settings.Insecure || reference.IsLoopback ? "http" : "https";
        return new Target(reference, settings, new Uri($"{scheme}://{reference.Registry}/v2/{reference.Repository}/"),
            $"repository:{reference.Repository}:{actions}");
    }

    /// <summary>One request with the cached credentials; on 401 authenticate as the challenge says and send it once more.</summary>
    private async Task<Reply> SendAsync(Target target, HttpMethod method, string path, Payload? payload, bool accept, int maxBody,
        string what, CancellationToken ct)
    {
        var uri = new Uri(target.Base, path);
        var reply = await ExchangeAsync(target.Settings, method, uri, payload, accept, CachedAuthorization(target), maxBody, what, ct);
        if (reply.Status != HttpStatusCode.Unauthorized)
        {
            return reply;
        }
        var authorization = await AuthenticateAsync(target, reply, what, ct);
        return authorization is null
            ? reply
            : await ExchangeAsync(target.Settings, method, uri, payload, accept, authorization, maxBody, what, ct);
    }

    private AuthenticationHeaderValue? CachedAuthorization(Target target)
    {
        var registry = target.Image.Registry;
        if (tokens.UsesBasic(registry) && target.Settings.HasCredentials)
        {
            return Basic(target.Settings);
        }
        return tokens.Get(registry, target.Scope, time.GetUtcNow()) is { } token ? new AuthenticationHeaderValue("Bearer", token) : null;
    }

    private async Task<AuthenticationHeaderValue?> AuthenticateAsync(Target target, Reply reply, string what, CancellationToken ct)
    {
        var challenges = AuthChallenge.Parse(reply.Challenges);
        var registry = target.Image.Registry;
        if (challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) is { } bearer)
        {
            // Ask for the scope this operation needs; add what the registry named when it is about something else.
            var scopes = new List<string> { target.Scope };
            if (bearer.Parameters.TryGetValue("scope", out var named))
            {
                var prefix = $"repository:{target.Image.Repository}:";
                scopes.AddRange(named.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Where(s => !s.StartsWith(prefix, StringComparison.Ordinal) && !scopes.Contains(s)));
            }
            var token = await FetchTokenAsync(target, bearer, scopes, what, ct);
            return new AuthenticationHeaderValue("Bearer", token);
        }
        if (challenges.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)))
        {
            if (!target.Settings.HasCredentials)
            {
                throw new RegistryException(
                    $"{what}: {registry} requires a user name and password (Basic auth); set {RegistryOptions.Section}:{registry}:Username and Password.",
                    transient: false, status: HttpStatusCode.Unauthorized);
            }
            tokens.MarkBasic(registry);
            return Basic(target.Settings);
        }
        return null;
    }

    private async Task<string> FetchTokenAsync(Target target, AuthChallenge challenge, IReadOnlyList<string> scopes, string what, CancellationToken ct)
    {
        var registry = target.Image.Registry;
        if (!challenge.Parameters.TryGetValue("realm", out var realm)
            || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || realmUri.Scheme is not ("http" or "https"))
        {
            throw new RegistryException($"{what}: {registry} asked for a token but named no http(s) token server (realm).",
                transient: false, status: HttpStatusCode.Unauthorized);
        }
        var query = new StringBuilder(realmUri.AbsoluteUri);
        var separator = string.IsNullOrEmpty(realmUri.Query) ? '?' : '&';
        if (challenge.Parameters.TryGetValue("service", out var service))
        {
            query.Append(separator).Append("service=").Append(Uri.EscapeDataString(service));
            separator = '&';
        }
        foreach (var scope in scopes)
        {
            query.Append(separator).Append("scope=").Append(Uri.EscapeDataString(scope));
            separator = '&';
        }

        var settings = target.Settings;
        AuthenticationHeaderValue? credentials = null;
        if (settings.HasCredentials)
        {
            // A password goes over plain http only where the registry itself is plain http by configuration or loopback.
            if (realmUri.Scheme == "http" && target.Base.Scheme == "https")
            {
                throw new RegistryException(
                    $"{what}: {registry} sends credentials to the plain-http token server {UrlSecrets.Apply(realmUri.GetLeftPart(UriPartial.Path))}; refused.",
                    transient: false, status: HttpStatusCode.Unauthorized);
            }
            credentials = Basic(settings);
        }
        var who = settings.HasCredentials ? $"user '{settings.Username}'" : "anonymous access";
        var tokenWhat = $"{what}: getting a token from {UrlSecrets.Apply(realmUri.GetLeftPart(UriPartial.Path))} for {string.Join(' ', scopes)}";
        var reply = await ExchangeAsync(settings, HttpMethod.Get, new Uri(query.ToString()), null, accept: false, credentials, MaxErrorBytes,
            tokenWhat, ct);
        if (reply.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new RegistryException(
                $"{tokenWhat} failed: {(int)reply.Status} {reply.Reason}: the token server refused {who}"
                + (settings.HasCredentials ? "; check the password." : $"; set {RegistryOptions.Section}:{registry}:Username and Password."),
                transient: false, status: reply.Status);
        }
        EnsureSuccess(reply, tokenWhat);

        string? token = null;
        var lifetime = DefaultTokenLifetime;
        try
        {
            using var document = JsonDocument.Parse(reply.Body);
            var root = document.RootElement;
            token = Text(root, "token") ?? Text(root, "access_token");
            if (root.TryGetProperty("expires_in", out var expires) && expires.ValueKind == JsonValueKind.Number
                && expires.TryGetInt32(out var seconds) && seconds > 0)
            {
                lifetime = TimeSpan.FromSeconds(seconds);
            }
        }
        catch (JsonException)
        {
            token = null;
        }
        if (token is null)
        {
            throw new RegistryException($"{tokenWhat}: the answer has no token.", transient: false, status: reply.Status);
        }
        tokens.Put(registry, target.Scope, token, time.GetUtcNow(), lifetime);
        logger.LogDebug("Got a registry token for {Registry} ({Scope}) valid for {Seconds} s", registry, target.Scope, lifetime.TotalSeconds);
        return token;
    }

    /// <summary>
    /// One HTTP exchange within the registry's timeout, the body buffered. GET and HEAD redirects are followed here;
    /// <paramref name="authorization"/> is only sent to the origin of the first request.
    /// </summary>
    private async Task<Reply> ExchangeAsync(RegistryHostOptions settings, HttpMethod method, Uri uri, Payload? payload, bool accept,
        AuthenticationHeaderValue? authorization, int maxBody, string what, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        var origin = uri;
        try
        {
            for (var hops = 0; ; hops++)
            {
                using var request = new HttpRequestMessage(method, uri);
                request.Headers.UserAgent.ParseAdd("ComposeGate");
                if (accept)
                {
                    foreach (var type in ManifestMediaTypes)
                    {
                        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
                    }
                }
                if (authorization is not null && SameOrigin(uri, origin))
                {
                    request.Headers.Authorization = authorization;
                }
                if (payload is not null)
                {
                    request.Content = new ByteArrayContent(payload.Bytes);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue(payload.MediaType);
                }
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (IsRedirect(response.StatusCode) && (method == HttpMethod.Get || method == HttpMethod.Head) && response.Headers.Location is { } location)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    if (hops >= MaxRedirects || next.Scheme is not ("http" or "https") || (uri.Scheme == "https" && next.Scheme == "http"))
                    {
                        throw new RegistryException($"{what}: refused to follow the redirect to {UrlSecrets.Apply(next.GetLeftPart(UriPartial.Path))}.",
                            transient: false, status: response.StatusCode);
                    }
                    uri = next;
                    continue;
                }
                var success = response.IsSuccessStatusCode;
                var body = method == HttpMethod.Head
                    ? []
                    : await ReadBodyAsync(response.Content, success ? maxBody : MaxErrorBytes, truncate: !success, what, timeout.Token);
                return new Reply(
                    response.StatusCode,
                    response.ReasonPhrase,
                    response.Content.Headers.ContentType?.MediaType,
                    body,
                    response.Headers.TryGetValues("Docker-Content-Digest", out var digests) ? digests.FirstOrDefault()?.Trim() : null,
                    response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var challenges) ? [.. challenges] : [],
                    RetryAfter(response));
            }
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new RegistryException($"{what}: no answer from {uri.Authority} within {settings.TimeoutSeconds} s.",
                transient: true, status: null, e);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
        {
            throw new RegistryException($"{what}: the TLS handshake with {uri.Authority} failed ({e.InnerException.Message}); "
                + "is its certificate trusted?", transient: false, status: null, e);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryException($"{what}: could not reach {uri.Authority}: {e.Message}", transient: true, status: null, e);
        }
        catch (IOException e)
        {
            throw new RegistryException($"{what}: the connection to {uri.Authority} broke: {e.Message}", transient: true, status: null, e);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContent content, int max, bool truncate, string what, CancellationToken ct)
    {
        if (!truncate && content.Headers.ContentLength > max)
        {
            throw TooLarge(what, max);
        }
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                if (!truncate)
                {
                    throw TooLarge(what, max);
                }
                buffer.Write(chunk, 0, max - (int)buffer.Length);
                break;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();

        static RegistryException TooLarge(string what, int max) =>
            new($"{what}: the answer is larger than {(max >= 1024 * 1024 ? $"{max / 1024 / 1024} MiB" : $"{max / 1024} KiB")}.", transient: false, status: null);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } header)
        {
            return null;
        }
        if (header.Delta is { } delta)
        {
            return delta;
        }
        return header.Date is { } date ? TimeSpan.FromSeconds(Math.Max(0, Math.Ceiling((date - time.GetUtcNow()).TotalSeconds))) : null;
    }

    /// <summary>Turns a failed reply into a <see cref="RegistryException"/> carrying the registry's own error code and message.</summary>
    private static void EnsureSuccess(Reply reply, string what)
    {
        var status = (int)reply.Status;
        if (status is >= 200 and < 300)
        {
            return;
        }
        var errors = RegistryErrors(reply.Body);
        var detail = errors.Count == 0 ? "" : $" ({string.Join("; ", errors.Select(e => e.Message is null ? e.Code : $"{e.Code}: {e.Message}"))})";
        var transient = status >= 500 || status is 429 or 408;
        var hint = reply.Status switch
        {
            HttpStatusCode.Unauthorized => " The registry refused the credentials even after authenticating.",
            HttpStatusCode.Forbidden => " The account lacks permission for this repository.",
            _ => "",
        };
        throw new RegistryException($"{what} failed: {status} {reply.Reason}{detail}.{hint}", transient, reply.Status)
        {
            RetryAfter = reply.RetryAfter,
            ErrorCode = errors.Count > 0 ? errors[0].Code : null,
        };
    }

    private static List<(string Code, string? Message)> RegistryErrors(byte[] body)
    {
        var errors = new List<(string, string?)>();
        if (body.Length == 0)
        {
            return errors;
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var error in list.EnumerateArray())
                {
                    if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var code) && code.GetString() is { Length: > 0 } c)
                    {
                        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                        errors.Add((c, message));
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not the registry's JSON (a proxy's HTML page): the status line says enough.
        }
        return errors;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: > 0 } text ? text : null;

    private static JsonDocument ReadJson(byte[] bytes, string what)
    {
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new RegistryException($"{what}: the answer is not valid JSON ({e.Message}).", transient: false, status: null, e);
        }
    }

    private static AuthenticationHeaderValue Basic(RegistryHostOptions settings) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.Username}:{settings.Password}")));

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    internal static bool IsDigest(string? value) => value is not null && DigestPattern().IsMatch(value);

    private static bool IsSha256(string value) => value.StartsWith("sha256:", StringComparison.Ordinal);

    private static string Display(ImageReference image, string reference) => IsDigest(reference) ? $"{image}@{reference}" : $"{image}:{reference}";

    private static RegistryException Invalid(string message) => new(message, transient: false, status: null);

    private static RegistryException Mismatch(string what, string detail) => new($"{what}: digest mismatch, {detail}", transient: false, status: null);

    [GeneratedRegex(@"^sha256:[a-f0-9]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();
}
