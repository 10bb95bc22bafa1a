using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ComposeGate.Candidates.Productmd;
using ComposeGate.Web.Data;
using ComposeGate.Web.Features.Sources;
using ComposeGate.Web.Security;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Features.Candidates;

/// <summary>
/// Reads a published compose (pungi's layout) from an http(s) URL or a local path: its STATUS, its productmd
/// metadata, and, for a directory of composes, the composes it holds.
/// </summary>
/// <remarks>
/// The location comes from a request, an announcement or configuration, so every read is bounded: local files only
/// inside <see cref="ComposeRoots"/>; remote documents within <see cref="SourcesOptions"/>' time limits and size caps,
/// read as a stream and cut off one byte past the cap; redirects followed by hand, and only on the same host and port
/// (or up from http to https). Errors name the URL (masked) and the rule broken, never what the server sent.
/// </remarks>
public sealed partial class ComposeFetcher(HttpClient http, ComposeRoots roots, IOptionsMonitor<SourcesOptions> options, DataLocation data)
{
    /// <summary>The STATUS values after which a compose may be ingested.</summary>
    public static readonly IReadOnlyList<string> IngestibleStatuses = ["FINISHED", "FINISHED_INCOMPLETE"];

    /// <summary>Every STATUS pungi writes: these may be named in messages; anything else in a STATUS file is not repeated.</summary>
    public static readonly IReadOnlyList<string> PungiStatuses = ["STARTED", "FINISHED", "FINISHED_INCOMPLETE", "DOOMED", "TERMINATED"];

    public const int MaxRedirects = 5;

    private static readonly Limit StatusLimit = new(SourcesOptions.MaxStatusBytes, "STATUS is larger than 1 KiB");
    private static readonly Limit IndexLimit = new(SourcesOptions.MaxIndexBytes, "the directory index is larger than 8 MiB");

    /// <summary>The handler the fetcher expects: redirects are its own business, and connecting has its own time limit.</summary>
    public static SocketsHttpHandler CreateHandler(SourcesOptions settings) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(settings.ConnectTimeoutSeconds),
    };

    public async Task<string> ReadStatusAsync(string location, CancellationToken ct) =>
        (await ReadAsync(location, "STATUS", StatusLimit, ReadTextAsync, ct)).Trim();

    /// <summary>Reads composeinfo.json and rpms.json from <c>compose/metadata/</c> (or the legacy <c>metadata/</c>).</summary>
    public async Task<ComposeMetadata> ReadMetadataAsync(string location, CancellationToken ct)
    {
        var folder = await ExistsAsync(location, "compose/metadata/composeinfo.json", ct) ? "compose/metadata" : "metadata";
        ComposeInfo info;
        // Fetched documents are not the caller's own: their errors name JSON paths, not the values found there.
        await using (var file = await SpoolAsync(location, $"{folder}/composeinfo.json", ct))
        {
            info = ProductmdReader.ReadComposeInfo(file, "$.composeinfo", quoteValues: false);
        }
        await using (var file = await SpoolAsync(location, $"{folder}/rpms.json", ct))
        {
            var rpms = ProductmdReader.ReadRpms(file, out var composeId, "$.rpms", quoteValues: false);
            return ProductmdReader.Combine(info, rpms, composeId, "$.rpms", quoteValues: false);
        }
    }

    /// <summary>The entries of a directory of composes: local folders, or the links of an http index page.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string directory, CancellationToken ct)
    {
        if (LocalPath(directory) is { } path)
        {
            var folder = roots.Check(path);
            return Directory.Exists(folder)
                ? Directory.EnumerateDirectories(folder).Select(Path.GetFileName).OfType<string>().ToList()
                : throw new ComposeUnavailableException($"{directory} is not a directory.");
        }
        var page = await ReadAsync(directory, "", IndexLimit, ReadTextAsync, ct);
        var index = new Uri(FolderOf(new Uri(directory, UriKind.Absolute)));
        var prefix = WithoutUserInfo(index).AbsoluteUri;
        // Index pages link entries relatively (Apache: "X/") or absolutely ("/top/X/"): keep the direct children.
        return IndexLink().Matches(page)
            .Select(m => Uri.TryCreate(index, WebUtility.HtmlDecode(m.Groups[1].Value), out var entry) ? WithoutUserInfo(entry) : null)
            .Where(entry => entry is not null && entry.Query.Length == 0 && entry.AbsoluteUri.StartsWith(prefix, StringComparison.Ordinal))
            .Select(entry => Uri.UnescapeDataString(entry!.AbsoluteUri[prefix.Length..].TrimEnd('/')))
            .Where(name => name.Length > 0 && !name.Contains('/') && !name.StartsWith('.'))
            .Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The location of an entry of a directory of composes; a URL keeps its query (a mirror's access token).</summary>
    public static string Child(string directory, string name) =>
        LocalPath(directory) is { } path ? Path.Combine(path, name) : DocumentUri(directory, name + "/").AbsoluteUri;

    /// <summary>A local path for absolute paths and file:// URLs; null for http(s); refused for anything else.</summary>
    public static string? LocalPath(string location)
    {
        if (location.StartsWith('/'))
        {
            return location;
        }
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri))
        {
            return uri.Scheme switch
            {
                "file" => uri.LocalPath,
                "http" or "https" => null,
                _ => throw new ComposeUnavailableException($"'{UrlSecrets.Apply(location)}' is neither an http(s) URL nor an absolute path."),
            };
        }
        throw new ComposeUnavailableException($"'{UrlSecrets.Apply(location)}' is neither an http(s) URL nor an absolute path.");
    }

    public static async Task<Stream> SpoolAsync(Stream source, DataLocation data, CancellationToken ct)
    {
        var folder = Path.Combine(data.DataDir, "tmp");
        Directory.CreateDirectory(folder);
        var spool = new FileStream(Path.Combine(folder, $"spool-{Guid.NewGuid():N}.json"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await source.CopyToAsync(spool, ct);
            spool.Position = 0;
            return spool;
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
    }

    /// <summary>A size cap and the rule it stands for, as error messages name it.</summary>
    private sealed record Limit(long Bytes, string Rule);

    private Limit MetadataLimit(string file)
    {
        var cap = options.CurrentValue.MaxMetadataBytes;
        return new Limit(cap, $"{Path.GetFileName(file)} exceeds the {Size(cap)} cap ({SourcesOptions.Section}:MaxMetadataBytes)");
    }

    /// <summary>
    /// Copies a document to a temporary file, asynchronously, so it can be parsed with bounded memory
    /// and without blocking on the network. The file goes away when the stream is closed.
    /// </summary>
    private Task<Stream> SpoolAsync(string location, string relative, CancellationToken ct) =>
        ReadAsync(location, relative, MetadataLimit(relative), (source, token) => SpoolAsync(source, data, token), ct);

    private async Task<bool> ExistsAsync(string location, string relative, CancellationToken ct)
    {
        if (LocalPath(location) is { } folder)
        {
            return File.Exists(roots.Check(Path.Combine(folder, relative)));
        }
        var uri = DocumentUri(location, relative);
        return await WithinLimitsAsync(uri, async token =>
        {
            using var response = await SendAsync(HttpMethod.Head, uri, token);
            return response.IsSuccessStatusCode;
        }, ct);
    }

    /// <summary>Opens one document under its cap and hands it to <paramref name="read"/>, within the time limit for a remote one.</summary>
    private async Task<T> ReadAsync<T>(string location, string relative, Limit limit, Func<Stream, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        if (LocalPath(location) is { } folder)
        {
            var file = roots.Check(relative.Length == 0 ? folder : Path.Combine(folder, relative));
            if (!File.Exists(file))
            {
                throw new ComposeUnavailableException($"{file} does not exist.");
            }
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            if (stream.Length > limit.Bytes)
            {
                throw TooLarge(file, limit);
            }
            return await read(new CappedStream(stream, limit.Bytes, () => TooLarge(file, limit)), ct);
        }
        var uri = DocumentUri(location, relative);
        return await WithinLimitsAsync(uri, async token =>
        {
            using var response = await SendAsync(HttpMethod.Get, uri, token);
            if (!response.IsSuccessStatusCode)
            {
                // The standard phrase for the code: a server's own reason phrase is its text, not ours to repeat.
                var status = (int)response.StatusCode;
                var phrase = ReasonPhrases.GetReasonPhrase(status);
                throw new ComposeUnavailableException($"{Shown(uri)} answered {status}{(phrase.Length == 0 ? "" : " " + phrase)}.");
            }
            if (response.Content.Headers.ContentLength > limit.Bytes)
            {
                throw TooLarge(Shown(uri), limit);
            }
            // Disposed unread on the way out, the response drops its connection: nothing past the cap is read.
            await using var body = await response.Content.ReadAsStreamAsync(token);
            return await read(new CappedStream(body, limit.Bytes, () => TooLarge(Shown(uri), limit)), token);
        }, ct);
    }

    /// <summary>Runs one remote exchange within <c>TimeoutSeconds</c> and turns its faults into messages that quote nothing remote.</summary>
    private async Task<T> WithinLimitsAsync<T>(Uri uri, Func<CancellationToken, Task<T>> exchange, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            return await exchange(timeout.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested && !timeout.IsCancellationRequested && e.InnerException is TimeoutException)
        {
            // SocketsHttpHandler reports its ConnectTimeout as a cancellation carrying a TimeoutException.
            throw new ComposeUnavailableException($"{Shown(uri)} could not be read: no connection within {settings.ConnectTimeoutSeconds} s.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ComposeUnavailableException($"{Shown(uri)} could not be read: timed out after {settings.TimeoutSeconds} s.");
        }
        catch (HttpRequestException e)
        {
            throw new ComposeUnavailableException($"{Shown(uri)} could not be read: {Describe(e.HttpRequestError)}.");
        }
        catch (IOException e) when (e is HttpIOException || e.InnerException is SocketException)
        {
            throw new ComposeUnavailableException($"{Shown(uri)} could not be read: the connection broke before the document was complete.");
        }
    }

    /// <summary>
    /// Sends the request and follows up to <see cref="MaxRedirects"/> redirects itself. Credentials in the URL's
    /// userinfo go as Basic authentication (they never stay in the request line, so no log repeats them).
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, CancellationToken ct)
    {
        var credentials = Credentials(uri);
        var current = uri;
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(method, WithoutUserInfo(current));
            request.Headers.Authorization = credentials;
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!IsRedirect(response.StatusCode))
            {
                return response;
            }
            var location = response.Headers.NonValidated.TryGetValues("Location", out var values) ? values.FirstOrDefault() : null;
            response.Dispose();
            if (redirects == MaxRedirects)
            {
                throw Refused(uri, $"more than {MaxRedirects} redirects");
            }
            current = NextHop(uri, current, location);
        }
    }

    /// <summary>Where a redirect may lead: the same host and port over the same scheme, or up from http to https on the same host.</summary>
    private static Uri NextHop(Uri document, Uri current, string? location)
    {
        if (string.IsNullOrWhiteSpace(location) || !Uri.TryCreate(current, location.Trim(), out var next))
        {
            throw Refused(document, "redirect without a usable Location");
        }
        if (next.Scheme == Uri.UriSchemeFile)
        {
            throw Refused(document, "redirect to a local file");
        }
        if (next.Scheme is not ("http" or "https"))
        {
            throw Refused(document, "redirect to a URL that is not http(s)");
        }
        if (!string.Equals(next.IdnHost, current.IdnHost, StringComparison.OrdinalIgnoreCase))
        {
            throw Refused(document, "redirect to another host");
        }
        if (current.Scheme == "https" && next.Scheme == "http")
        {
            throw Refused(document, "redirect from https down to http");
        }
        var upgrade = current.Scheme == "http" && next.Scheme == "https";
        if (next.Port != current.Port && !(upgrade && current.IsDefaultPort && next.IsDefaultPort))
        {
            throw Refused(document, "redirect to another port");
        }
        return next;
    }

    private static AuthenticationHeaderValue? Credentials(Uri uri)
    {
        if (uri.UserInfo.Length == 0)
        {
            return null;
        }
        var parts = uri.UserInfo.Split(':', 2);
        var user = Uri.UnescapeDataString(parts[0]);
        var password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    private static Uri WithoutUserInfo(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri : new Uri(uri.GetComponents(UriComponents.HttpRequestUrl | UriComponents.Fragment, UriFormat.UriEscaped));

    /// <summary>
    /// The URL of a document inside the folder <paramref name="location"/> names. The location's query goes with every
    /// document: on a mirror that wants <c>?token=…</c>, each file needs it.
    /// </summary>
    private static Uri DocumentUri(string location, string relative)
    {
        var uri = new Uri(location, UriKind.Absolute);
        var folder = new Uri(FolderOf(uri));
        var document = relative.Length == 0 ? folder : new Uri(folder, relative);
        return uri.Query.Length == 0 ? document : new Uri(document.AbsoluteUri + uri.Query);
    }

    private static string FolderOf(Uri uri)
    {
        var folder = uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.UserInfo | UriComponents.Path, UriFormat.UriEscaped);
        return folder.EndsWith('/') ? folder : folder + "/";
    }

    private static async Task<string> ReadTextAsync(Stream stream, CancellationToken ct)
    {
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(ct);
    }

    private static string Shown(Uri uri) => UrlSecrets.Apply(uri.AbsoluteUri);

    private static ComposeUnavailableException TooLarge(string document, Limit limit) => new($"{document}: {limit.Rule}.");

    private static ComposeUnavailableException Refused(Uri document, string rule) => new($"{Shown(document)}: {rule} refused.");

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>What went wrong, in our words: some of .NET's messages quote the server's bytes (an invalid header line).</summary>
    private static string Describe(HttpRequestError error) => error switch
    {
        HttpRequestError.NameResolutionError => "the host name could not be resolved",
        HttpRequestError.ConnectionError => "no connection could be made",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed",
        HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => "the answer was not valid HTTP",
        HttpRequestError.ResponseEnded => "the connection closed before the answer was complete",
        HttpRequestError.ConfigurationLimitExceeded => "the answer's headers are larger than allowed",
        _ => "the request failed",
    };

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes:N0} bytes",
    };

    [GeneratedRegex("""href\s*=\s*["']([^"'#]+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex IndexLink();
}

/// <summary>A compose location that cannot be read (missing, unreachable, refused, too large, not a compose).</summary>
public sealed class ComposeUnavailableException(string message) : Exception(message);
