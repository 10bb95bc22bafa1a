using ComposeGate.Web.Data;
using ComposeGate.Web.Features.Candidates;
using Microsoft.Extensions.Options;

namespace ComposeGate.Web.Features.Sources;

/// <summary>
/// The folders composes may be read from on this machine: the data folder, each configured stream's local
/// <c>ComposeUrl</c>, and <c>ComposeGate:Sources:AllowedRoots</c>. A URL in a request or an announcement names any
/// path it likes; only files inside these folders are read, so <c>/etc/shadow</c>, <c>root/../etc</c> and a symlink
/// inside a root pointing out of it are all refused.
/// </summary>
public sealed class ComposeRoots(DataLocation data, IOptionsMonitor<StreamsOptions> streams, IOptionsMonitor<SourcesOptions> sources)
{
    /// <summary>Symlinks followed while resolving one path before giving up (Linux's own limit).</summary>
    private const int MaxLinks = 40;

    private const string Rule = "composes are read from the data folder, the streams' local ComposeUrls and "
        + SourcesOptions.Section + ":AllowedRoots only";

    public IReadOnlyList<string> All
    {
        get
        {
            var roots = new List<string> { data.DataDir };
            foreach (var settings in streams.CurrentValue.Values)
            {
                // On Linux an absolute path parses as a file: URL too.
                if (settings.Source?.ComposeUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsFile)
                {
                    roots.Add(uri.LocalPath);
                }
            }
            roots.AddRange(sources.CurrentValue.AllowedRoots);
            return roots.Where(Path.IsPathFullyQualified).Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).Distinct(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>
    /// The normalised form of <paramref name="path"/> when both it and the real path it resolves to (every symlink
    /// followed) lie inside a root; a <see cref="ComposeUnavailableException"/> naming the path otherwise.
    /// </summary>
    public string Check(string path)
    {
        if (!Path.IsPathFullyQualified(path) || path.Contains('\0'))
        {
            throw new ComposeUnavailableException($"{path} is not an absolute path.");
        }
        var full = Path.GetFullPath(path);
        var roots = All;
        if (!roots.Any(root => IsInside(full, root)))
        {
            throw Outside(path);
        }
        var real = RealPath(full);
        if (!roots.Any(root => IsInside(real, root) || IsInside(real, RealPath(root))))
        {
            throw new ComposeUnavailableException(
                $"{path} leads out of the folders composes may be read from (through a symbolic link); {Rule}.");
        }
        return full;
    }

    private static ComposeUnavailableException Outside(string path) =>
        new($"{path} is outside the folders composes may be read from; {Rule}.");

    private static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// The path with every symlink along it resolved, like realpath(3); the part that does not exist (yet) is kept
    /// as written. A link loop is refused rather than followed forever.
    /// </summary>
    public static string RealPath(string fullPath)
    {
        var pending = new Stack<string>(Segments(fullPath).Reverse());
        var current = Path.GetPathRoot(fullPath)!;
        var links = 0;
        while (pending.Count > 0)
        {
            var next = Path.Combine(current, pending.Pop());
            var info = new FileInfo(next);
            if (!info.Exists && !Directory.Exists(next))
            {
                // Nothing further can be a link: the rest is only a name.
                return pending.Aggregate(next, (path, segment) => Path.Combine(path, segment));
            }
            if (info.LinkTarget is not { } target)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks)
            {
                throw new ComposeUnavailableException($"{fullPath} has too many levels of symbolic links.");
            }
            // The target replaces the link: resolved against the (already real) folder holding it, then walked again.
            var resolved = Path.GetFullPath(target, current);
            foreach (var segment in Segments(resolved).Reverse())
            {
                pending.Push(segment);
            }
            current = Path.GetPathRoot(resolved)!;
        }
        return current;
    }

    private static IEnumerable<string> Segments(string fullPath) =>
        fullPath[Path.GetPathRoot(fullPath)!.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
}
