using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace ComposeGate.Web.Promotion;

/// <summary>
/// Publishes a compose into a mirror tree: its directory is placed at <c>Root/&lt;id&gt;</c> (hard links where the
/// file system allows, copies otherwise) under a temporary name and renamed into place, so no partial tree is ever
/// seen under the final name; then the symlink <c>Root/Link</c> is switched to it by renaming a new link over the old
/// one, which mirrors and users see change in one step. Older composes stay where they are.
/// </summary>
public sealed partial class PublishAction : IPromotionAction
{
    private const int EXDEV = 18;

    public string Kind => "Publish";

    public static string Describe(PublishSettings settings) => $"Publish to {settings.Root}, switch {settings.Link}";

    public Task<string> RunAsync(PromotionStepContext step, CancellationToken ct)
    {
        var settings = JsonSerializer.Deserialize<PublishSettings>(step.Settings, JsonSerializerOptions.Web)!;
        var root = settings.Root!;
        var link = settings.Link!;
        var log = new StringBuilder();
        var source = LocalDirectory(step.Candidate);
        var target = Path.Combine(root, step.Candidate.Id);
        try
        {
            Directory.CreateDirectory(root);
            if (Directory.Exists(target))
            {
                // Placed by an earlier run (placing ends with a rename, so the tree is whole).
                log.AppendLine($"{target} is already in place.");
            }
            else
            {
                Place(source, root, step.Candidate.Id, log, ct);
            }
            SwitchLink(root, link, step.Candidate.Id, log);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PromotionStepException($"Publishing {step.Candidate.Id} into {root} failed: {e.Message}", transient: false, log.ToString(), inner: e);
        }
        return Task.FromResult(log.ToString());
    }

    /// <summary>The compose's top directory on this machine: a path or a file: URL given when it was received.</summary>
    private static string LocalDirectory(CandidateFacts candidate)
    {
        var location = candidate.SourceUrl;
        if (location is not null && Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.IsFile)
        {
            location = uri.LocalPath;
        }
        if (location is null || !Path.IsPathFullyQualified(location))
        {
            throw new PromotionStepException(
                $"{candidate.Id} has no compose directory on this machine to publish from (it was received {(candidate.SourceUrl is null ? "inline" : "from " + candidate.SourceUrl)}); " +
                "Publish needs composes read from a local path.", transient: false);
        }
        // A pungi top directory (compose/metadata/…) or its compose/ directory itself (metadata/…).
        if (!File.Exists(Path.Combine(location, "compose", "metadata", "composeinfo.json")) && !File.Exists(Path.Combine(location, "metadata", "composeinfo.json")))
        {
            throw new PromotionStepException($"{location} is no longer a compose (compose/metadata/composeinfo.json is missing): nothing was published.", transient: false);
        }
        return location.TrimEnd('/');
    }

    private static void Place(string source, string root, string id, StringBuilder log, CancellationToken ct)
    {
        // Leftovers of a run interrupted while placing: never the final name, so safe to remove.
        foreach (var stale in Directory.EnumerateDirectories(root, $".{id}.partial-*"))
        {
            Directory.Delete(stale, recursive: true);
            log.AppendLine($"Removed the unfinished {Path.GetFileName(stale)} of an interrupted run.");
        }
        var staging = Path.Combine(root, $".{id}.partial-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8]}");
        var counts = new PlaceCounts();
        Directory.CreateDirectory(staging);
        PlaceTree(new DirectoryInfo(source), staging, counts, ct);
        Directory.Move(staging, Path.Combine(root, id));
        log.AppendLine($"Placed {Path.Combine(root, id)} from {source}: {counts.Files} files ({counts.Linked} hard links, {counts.Copied} copies, " +
            $"{counts.Bytes:N0} bytes), {counts.Symlinks} symlinks.");
    }

    private static void PlaceTree(DirectoryInfo from, string to, PlaceCounts counts, CancellationToken ct)
    {
        foreach (var entry in from.EnumerateFileSystemInfos())
        {
            ct.ThrowIfCancellationRequested();
            var destination = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } target)
            {
                // A link inside the compose (e.g. a repository alias) stays a link with the same target.
                if (entry is DirectoryInfo)
                {
                    Directory.CreateSymbolicLink(destination, target);
                }
                else
                {
                    File.CreateSymbolicLink(destination, target);
                }
                counts.Symlinks++;
            }
            else if (entry is DirectoryInfo directory)
            {
                Directory.CreateDirectory(destination);
                PlaceTree(directory, destination, counts, ct);
            }
            else if (entry is FileInfo file)
            {
                counts.Files++;
                counts.Bytes += file.Length;
                if (!counts.CrossDevice && Link(file.FullName, destination) == 0)
                {
                    counts.Linked++;
                    continue;
                }
                // Another file system (or links not allowed): copy, and stop trying links for this tree.
                counts.CrossDevice |= Marshal.GetLastPInvokeError() == EXDEV;
                File.Copy(file.FullName, destination);
                counts.Copied++;
            }
        }
    }

    private static void SwitchLink(string root, string link, string id, StringBuilder log)
    {
        var path = Path.Combine(root, link);
        var current = new FileInfo(path).LinkTarget;
        if (current == id)
        {
            log.AppendLine($"{link} already points to {id}.");
            return;
        }
        if (current is null && Path.Exists(path))
        {
            throw new PromotionStepException($"{path} exists and is not a symlink: refusing to replace it.", transient: false, log.ToString());
        }
        var temporary = Path.Combine(root, $".{link}.{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8]}.tmp");
        File.CreateSymbolicLink(temporary, id);
        if (Rename(temporary, path) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            File.Delete(temporary);
            throw new IOException($"renaming the new link over {path} failed: {Marshal.GetPInvokeErrorMessage(error)}");
        }
        log.AppendLine($"Switched {link}: {current ?? "(none)"} → {id}.");
    }

    // rename(2) replaces the old link atomically, and link(2) makes hard links; .NET has neither as an API.
    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);

    private sealed class PlaceCounts
    {
        public int Files;
        public int Linked;
        public int Copied;
        public int Symlinks;
        public long Bytes;
        public bool CrossDevice;
    }
}
