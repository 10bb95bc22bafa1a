using System.Net;
using System.Text.RegularExpressions;
using ComposeGate.Candidates.Productmd;
using ComposeGate.Web.Data;

namespace ComposeGate.Web.Features.Candidates;

/// <summary>
/// Reads a published compose (pungi's layout) from an http(s) URL or a local path: its STATUS, its productmd
/// metadata, and, for a directory of composes, the composes it holds.
/// </summary>
public sealed partial class ComposeFetcher(HttpClient http, DataLocation data)
{
    /// <summary>The STATUS values after which a compose may be ingested.</summary>
    public static readonly IReadOnlyList<string> IngestibleStatuses = ["FINISHED", "FINISHED_INCOMPLETE"];

    public async Task<string> ReadStatusAsync(string location, CancellationToken ct)
    {
        await using var stream = await OpenAsync(location, "STATUS", ct);
        using var reader = new StreamReader(stream);
        return (await reader.ReadToEndAsync(ct)).Trim();
    }

    /// <summary>Reads composeinfo.json and rpms.json from <c>compose/metadata/</c> (or the legacy <c>metadata/</c>).</summary>
    public async Task<ComposeMetadata> ReadMetadataAsync(string location, CancellationToken ct)
    {
        var folder = await ExistsAsync(location, "compose/metadata/composeinfo.json", ct) ? "compose/metadata" : "metadata";
        ComposeInfo info;
        await using (var file = await SpoolAsync(location, $"{folder}/composeinfo.json", ct))
        {
            info = ProductmdReader.ReadComposeInfo(file, "$.composeinfo");
        }
        await using (var file = await SpoolAsync(location, $"{folder}/rpms.json", ct))
        {
            var rpms = ProductmdReader.ReadRpms(file, out var composeId, "$.rpms");
            return ProductmdReader.Combine(info, rpms, composeId, "$.rpms");
        }
    }

    /// <summary>The entries of a directory of composes: local folders, or the links of an http index page.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string directory, CancellationToken ct)
    {
        if (LocalPath(directory) is { } path)
        {
            return Directory.Exists(path)
                ? Directory.EnumerateDirectories(path).Select(Path.GetFileName).OfType<string>().ToList()
                : throw new ComposeUnavailableException($"{directory} is not a directory.");
        }
        var index = AsUri(directory, "");
        var page = await GetStringAsync(index, ct);
        // Index pages link entries relatively (Apache: "X/") or absolutely ("/top/X/"): keep the direct children.
        return IndexLink().Matches(page)
            .Select(m => Uri.TryCreate(index, WebUtility.HtmlDecode(m.Groups[1].Value), out var entry) ? entry : null)
            .Where(entry => entry is not null && entry.Query.Length == 0 && entry.AbsoluteUri.StartsWith(index.AbsoluteUri, StringComparison.Ordinal))
            .Select(entry => Uri.UnescapeDataString(entry!.AbsoluteUri[index.AbsoluteUri.Length..].TrimEnd('/')))
            .Where(name => name.Length > 0 && !name.Contains('/') && !name.StartsWith('.'))
            .Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The location of an entry of a directory of composes.</summary>
    public static string Child(string directory, string name) =>
        LocalPath(directory) is { } path ? Path.Combine(path, name) : AsUri(directory, name + "/").ToString();

    /// <summary>A local path for absolute paths and file:// URLs; null for http(s).</summary>
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
                _ => throw new ComposeUnavailableException($"'{location}' is neither an http(s) URL nor an absolute path."),
            };
        }
        throw new ComposeUnavailableException($"'{location}' is neither an http(s) URL nor an absolute path.");
    }

    private async Task<bool> ExistsAsync(string location, string relative, CancellationToken ct)
    {
        if (LocalPath(location) is { } path)
        {
            return File.Exists(Path.Combine(path, relative));
        }
        using var request = new HttpRequestMessage(HttpMethod.Head, AsUri(location, relative));
        try
        {
            using var response = await http.SendAsync(request, ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private async Task<Stream> OpenAsync(string location, string relative, CancellationToken ct)
    {
        if (LocalPath(location) is { } path)
        {
            var file = Path.Combine(path, relative);
            return File.Exists(file)
                ? new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true)
                : throw new ComposeUnavailableException($"{file} does not exist.");
        }
        var uri = AsUri(location, relative);
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new ComposeUnavailableException($"{uri} could not be read: {e.Message}");
        }
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new ComposeUnavailableException($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
        return await response.Content.ReadAsStreamAsync(ct);
    }

    private async Task<string> GetStringAsync(Uri uri, CancellationToken ct)
    {
        await using var stream = await OpenAsync(uri.ToString(), "", ct);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(ct);
    }

    /// <summary>
    /// Copies a document to a temporary file, asynchronously, so it can be parsed with bounded memory
    /// and without blocking on the network. The file goes away when the stream is closed.
    /// </summary>
    private async Task<Stream> SpoolAsync(string location, string relative, CancellationToken ct)
    {
        await using var source = await OpenAsync(location, relative, ct);
        return await SpoolAsync(source, data, ct);
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

    private static Uri AsUri(string location, string relative)
    {
        var baseUri = new Uri(location.EndsWith('/') ? location : location + "/", UriKind.Absolute);
        return relative.Length == 0 ? baseUri : new Uri(baseUri, relative);
    }

    [GeneratedRegex("""href\s*=\s*["']([^"'#]+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex IndexLink();
}

/// <summary>A compose location that cannot be read (missing, unreachable, not a compose).</summary>
public sealed class ComposeUnavailableException(string message) : Exception(message);
