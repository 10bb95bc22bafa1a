using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ComposeGate.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ComposeGate.Tests.Forge;

/// <summary>
/// One request the fake saw, recorded on arrival: method, raw path (still URL-encoded), the route it matched, and the status
/// sent (0 while in flight, 499 when the client gave up).
/// </summary>
public sealed class FakeRequest(string method, string rawPath, string route)
{
    public string Method { get; } = method;

    public string RawPath { get; } = rawPath;

    public string Route { get; } = route;

    public int Status { get; internal set; }
}

/// <summary>
/// A fault for the next matching request(s). With <see cref="Status"/> null the request is then handled normally
/// (after <see cref="Delay"/> and <see cref="Before"/>); with <see cref="ApplyFirst"/> it is handled and its response
/// replaced (a lost response).
/// </summary>
public sealed record FakeFault(int? Status = null, string? Message = null, TimeSpan? Delay = null, int? RetryAfterSeconds = null,
    bool ApplyFirst = false, Action<FakeGitLab>? Before = null)
{
    public static FakeFault ServerError(int status = 500) => new(status, "500 Internal Server Error");

    public static FakeFault Slow(TimeSpan delay) => new(Delay: delay);

    public static FakeFault RateLimited(int retryAfterSeconds) => new(429, RetryAfterSeconds: retryAfterSeconds);

    public static FakeFault Error(int status, string message) => new(status, message);

    /// <summary>The request is processed, but the client gets <paramref name="status"/> instead of the answer.</summary>
    public static FakeFault LostResponse(int status = 502) => new(status, "502 Bad Gateway", ApplyFirst: true);

    public static FakeFault Run(Action<FakeGitLab> before) => new(Before: before);
}

/// <summary>
/// An in-memory GitLab REST v4 (the endpoints ComposeGate uses) on Kestrel at 127.0.0.1:0: branches with file trees and
/// commits, merge requests (one open per source branch, merge sha guard), notes, commit statuses and issues; PRIVATE-TOKEN
/// auth; offset pagination; per-route fault injection; and a record of every request.
/// </summary>
public sealed class FakeGitLab : IAsyncDisposable
{
    public const string CreateBranchRoute = "POST repository/branches";
    public const string GetBranchRoute = "GET repository/branches/:branch";
    public const string FileRoute = "HEAD repository/files/:file_path";
    public const string CreateCommitRoute = "POST repository/commits";
    public const string ListMergeRequestsRoute = "GET merge_requests";
    public const string CreateMergeRequestRoute = "POST merge_requests";
    public const string GetMergeRequestRoute = "GET merge_requests/:iid";
    public const string UpdateMergeRequestRoute = "PUT merge_requests/:iid";
    public const string MergeRoute = "PUT merge_requests/:iid/merge";
    public const string ListNotesRoute = "GET merge_requests/:iid/notes";
    public const string ListAwardsRoute = "GET merge_requests/:iid/award_emoji";
    public const string CreateNoteRoute = "POST merge_requests/:iid/notes";
    public const string UpdateNoteRoute = "PUT merge_requests/:iid/notes/:note_id";
    public const string SetStatusRoute = "POST statuses/:sha";
    public const string CreateIssueRoute = "POST issues";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly Lock gate = new();
    private readonly WebApplication app;
    private readonly ConcurrentQueue<FakeRequest> requests = new();
    private readonly Dictionary<string, Queue<FakeFault>> faults = [];
    private readonly Dictionary<string, string> branches = [];
    private readonly Dictionary<string, FakeCommit> commits = [];
    private readonly List<MergeRequest> mergeRequests = [];
    private readonly List<Note> notes = [];
    private readonly List<Award> awards = [];
    private readonly List<Status> statuses = [];
    private readonly List<Issue> issues = [];
    private long nextId = 1000;

    private FakeGitLab(WebApplication app, string token, string projectPath, long projectId)
    {
        this.app = app;
        Token = token;
        ProjectPath = projectPath;
        ProjectId = projectId;
    }

    public string Token { get; }

    public string ProjectPath { get; }

    public long ProjectId { get; }

    public string BaseUrl { get; private set; } = "";

    /// <summary>The secret GitLab sends as <c>X-Gitlab-Token</c> on its webhooks to the app.</summary>
    public const string WebhookSecret = "gitlab-webhook-secret-2026";

    /// <summary>Points the app's GitLab provider at this server (ComposeGate:Forge:Enabled is left to the test).</summary>
    public void ConfigureProvider(ComposeGateFactory app)
    {
        app.Settings["ComposeGate:Forge:Provider"] = "GitLab";
        app.Settings["ComposeGate:Forge:GitLab:BaseUrl"] = BaseUrl;
        app.Settings["ComposeGate:Forge:GitLab:Project"] = ProjectPath;
        app.Settings["ComposeGate:Forge:GitLab:Token"] = Token;
        app.Settings["ComposeGate:Forge:GitLab:WebhookSecret"] = WebhookSecret;
    }

    /// <summary>Largest page the fake serves (GitLab: 100); lower it to exercise pagination.</summary>
    public int MaxPerPage { get; set; } = 100;

    public string BotUsername { get; } = "composegate-bot";

    public IReadOnlyList<FakeRequest> Requests => [.. requests];

    public static async Task<FakeGitLab> StartAsync(string token = "glpat-fake-secret-token", string projectPath = "group/compose", long projectId = 42)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeGitLab(app, token, projectPath, projectId);
        fake.Seed();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        fake.BaseUrl = addresses.Addresses.First();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    // ---------------------------------------------------------------- test API

    /// <summary>The next <paramref name="times"/> requests on <paramref name="route"/> (e.g. <see cref="MergeRoute"/>) get <paramref name="fault"/>.</summary>
    public void Inject(string route, FakeFault fault, int times = 1)
    {
        lock (gate)
        {
            if (!faults.TryGetValue(route, out var queue))
            {
                faults[route] = queue = new Queue<FakeFault>();
            }

            for (var i = 0; i < times; i++)
            {
                queue.Enqueue(fault);
            }
        }
    }

    public int Count(string route) => requests.Count(r => r.Route == route);

    public string? BranchHead(string branch)
    {
        lock (gate)
        {
            return branches.GetValueOrDefault(branch);
        }
    }

    public IReadOnlyDictionary<string, string> Files(string branch)
    {
        lock (gate)
        {
            return new Dictionary<string, string>(commits[branches[branch]].Tree);
        }
    }

    public FakeCommit Commit(string sha)
    {
        lock (gate)
        {
            return commits[sha];
        }
    }

    /// <summary>Someone else pushes to <paramref name="branch"/> (creating it off main when missing).</summary>
    public string Push(string branch, IReadOnlyDictionary<string, string> files, string message = "push")
    {
        lock (gate)
        {
            var parent = branches.TryGetValue(branch, out var head) ? head : branches["main"];
            var tree = new Dictionary<string, string>(commits[parent].Tree);
            foreach (var (path, content) in files)
            {
                tree[path] = content;
            }

            return AddCommit(branch, parent, tree, message).Sha;
        }
    }

    public IReadOnlyList<MergeRequest> MergeRequests
    {
        get
        {
            lock (gate)
            {
                return [.. mergeRequests.Select(m => m with { })];
            }
        }
    }

    /// <summary>Opens a merge request directly (as a concurrent ComposeGate instance would).</summary>
    public MergeRequest OpenMergeRequest(string source, string target, string title, params string[] labels)
    {
        lock (gate)
        {
            var mr = new MergeRequest(++nextId, mergeRequests.Count + 1, title, "", "opened", source, target, [.. labels], null, null);
            mergeRequests.Add(mr);
            return mr;
        }
    }

    public IReadOnlyList<Note> Notes(long iid)
    {
        lock (gate)
        {
            return [.. notes.Where(n => n.Iid == iid)];
        }
    }

    /// <summary>A reaction on a merge request, as a person gives one in GitLab's UI (no webhook is sent).</summary>
    public Award AddAward(long iid, string name, string username)
    {
        lock (gate)
        {
            var award = new Award(++nextId, iid, name, username);
            awards.Add(award);
            return award;
        }
    }

    public Note AddNote(long iid, string body, string author)
    {
        lock (gate)
        {
            var note = new Note(++nextId, iid, body, author, false);
            notes.Add(note);
            return note;
        }
    }

    public IReadOnlyList<Status> Statuses
    {
        get
        {
            lock (gate)
            {
                return [.. statuses];
            }
        }
    }

    public IReadOnlyList<Issue> Issues
    {
        get
        {
            lock (gate)
            {
                return [.. issues];
            }
        }
    }

    // ---------------------------------------------------------------- model

    public sealed record FakeCommit(string Sha, IReadOnlyList<string> ParentIds, IReadOnlyDictionary<string, string> Tree, string Message);

    public sealed record MergeRequest(long Id, long Iid, string Title, string Description, string State, string SourceBranch, string TargetBranch,
        List<string> Labels, string? MergeCommitSha, string? FrozenSha);

    public sealed record Note(long Id, long Iid, string Body, string Author, bool System);

    public sealed record Award(long Id, long Iid, string Name, string Username);

    public sealed record Status(long Id, string Sha, string Name, string State, string? Description);

    public sealed record Issue(long Id, long Iid, string Title, string? Description);

    private sealed record Reply(int Status, object? Body, Dictionary<string, string>? Headers = null);

    private void Seed()
    {
        var root = new FakeCommit(NewSha("root"), [], new Dictionary<string, string>
        {
            ["compose.yaml"] = "services: {}\n",
            ["README.md"] = "compose repo\n",
        }, "initial");
        commits[root.Sha] = root;
        branches["main"] = root.Sha;
    }

    private string MergeBase(string a, string b)
    {
        var ancestors = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>([a]);
        while (pending.TryDequeue(out var sha))
        {
            if (ancestors.Add(sha))
            {
                foreach (var parent in commits[sha].ParentIds.Where(p => p.Length > 0 && commits.ContainsKey(p)))
                {
                    pending.Enqueue(parent);
                }
            }
        }
        pending.Enqueue(b);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var sha))
        {
            if (ancestors.Contains(sha))
            {
                return sha;
            }
            if (seen.Add(sha))
            {
                foreach (var parent in commits[sha].ParentIds.Where(p => p.Length > 0 && commits.ContainsKey(p)))
                {
                    pending.Enqueue(parent);
                }
            }
        }
        return a;
    }

    private FakeCommit AddCommit(string branch, string parent, Dictionary<string, string> tree, string message, params string[] extraParents)
    {
        var commit = new FakeCommit(NewSha(branch + message + nextId++), [parent, .. extraParents], tree, message);
        commits[commit.Sha] = commit;
        branches[branch] = commit.Sha;
        return commit;
    }

    private static string NewSha(string seed) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(seed + Guid.NewGuid())));

    // ---------------------------------------------------------------- HTTP

    private async Task HandleAsync(HttpContext ctx)
    {
        var raw = ctx.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var rawPath = raw.Split('?')[0];
        var segments = rawPath.Split('/');
        FakeRequest? seen = null;
        Reply reply;
        try
        {
            // /api/v4/projects/:id/<rest>; every segment is URL-decoded on its own (so %2F stays inside one segment).
            if (segments.Length < 6 || segments[1] != "api" || segments[2] != "v4" || segments[3] != "projects")
            {
                requests.Enqueue(seen = new FakeRequest(ctx.Request.Method, rawPath, "?"));
                reply = new Reply(404, new { error = "404 Not Found" });
            }
            else
            {
                var project = Uri.UnescapeDataString(segments[4]);
                var rest = segments[5..].Select(Uri.UnescapeDataString).ToArray();
                var route = RouteOf(ctx.Request.Method, rest);
                requests.Enqueue(seen = new FakeRequest(ctx.Request.Method, rawPath, route));
                var fault = TakeFault(route);
                fault?.Before?.Invoke(this);
                if (fault?.Delay is { } delay)
                {
                    await Task.Delay(delay, ctx.RequestAborted);
                }

                if (fault?.Status is { } status && !fault.ApplyFirst)
                {
                    reply = FaultReply(fault, status);
                }
                else if (ctx.Request.Headers["PRIVATE-TOKEN"] != Token)
                {
                    reply = new Reply(401, new { message = "401 Unauthorized" });
                }
                else if (project != ProjectPath && project != ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    reply = new Reply(404, new { message = "404 Project Not Found" });
                }
                else
                {
                    var body = await ReadBodyAsync(ctx.Request);
                    lock (gate)
                    {
                        reply = Dispatch(ctx, route, rest, body);
                    }

                    if (fault?.Status is { } lost && fault.ApplyFirst)
                    {
                        reply = FaultReply(fault, lost);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            seen?.Status = 499;
            return;
        }

        seen.Status = reply.Status;
        ctx.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers ?? [])
        {
            ctx.Response.Headers[name] = value;
        }

        if (reply.Body is string text)
        {
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.WriteAsync(text);
        }
        else if (reply.Body is not null && ctx.Request.Method != "HEAD")
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(reply.Body, Json));
        }
    }

    private FakeFault? TakeFault(string route)
    {
        lock (gate)
        {
            return faults.TryGetValue(route, out var queue) && queue.TryDequeue(out var fault) ? fault : null;
        }
    }

    private static Reply FaultReply(FakeFault fault, int status)
    {
        if (status == 429)
        {
            var headers = new Dictionary<string, string> { ["RateLimit-Name"] = "throttle_authenticated_api", ["RateLimit-Remaining"] = "0" };
            if (fault.RetryAfterSeconds is { } seconds)
            {
                headers["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return new Reply(429, "Retry later\n", headers);
        }

        return new Reply(status, new { message = fault.Message ?? $"{status} Error" });
    }

    private static string RouteOf(string method, string[] rest) => (method, rest) switch
    {
        (_, ["repository", "branches", _]) => $"{method} repository/branches/:branch",
        (_, ["repository", "files", _]) => $"{method} repository/files/:file_path",
        (_, ["repository", "commits", _, "statuses"]) => $"{method} repository/commits/:sha/statuses",
        (_, ["merge_requests", _]) => $"{method} merge_requests/:iid",
        (_, ["merge_requests", _, "merge"]) => $"{method} merge_requests/:iid/merge",
        (_, ["merge_requests", _, "notes"]) => $"{method} merge_requests/:iid/notes",
        (_, ["merge_requests", _, "award_emoji"]) => $"{method} merge_requests/:iid/award_emoji",
        (_, ["merge_requests", _, "notes", _]) => $"{method} merge_requests/:iid/notes/:note_id",
        (_, ["statuses", _]) => $"{method} statuses/:sha",
        _ => $"{method} {string.Join('/', rest)}",
    };

    private static async Task<JsonElement> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        return string.IsNullOrWhiteSpace(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private Reply Dispatch(HttpContext ctx, string route, string[] rest, JsonElement body)
    {
        var query = ctx.Request.Query;
        switch (route)
        {
            case GetBranchRoute:
                return branches.TryGetValue(rest[2], out var head)
                    ? new Reply(200, BranchJson(rest[2], head))
                    : new Reply(404, new { message = "404 Branch Not Found" });

            case CreateBranchRoute:
            {
                var name = Str(body, "branch");
                var reference = Str(body, "ref");
                if (name is null || reference is null)
                {
                    return new Reply(400, new { error = "branch is missing, ref is missing" });
                }

                if (branches.ContainsKey(name))
                {
                    return new Reply(400, new { message = "Branch already exists" });
                }

                var sha = branches.GetValueOrDefault(reference) ?? (commits.ContainsKey(reference) ? reference : null);
                if (sha is null)
                {
                    return new Reply(400, new { message = "Invalid reference name: " + reference });
                }

                branches[name] = sha;
                return new Reply(201, BranchJson(name, sha));
            }

            case FileRoute or "GET repository/files/:file_path":
            {
                var reference = query["ref"].ToString();
                var sha = branches.GetValueOrDefault(reference) ?? reference;
                if (!commits.TryGetValue(sha, out var commit) || !commit.Tree.TryGetValue(rest[2], out var content))
                {
                    return new Reply(404, new { message = "404 File Not Found" });
                }

                return new Reply(200, new
                {
                    file_name = Path.GetFileName(rest[2]),
                    file_path = rest[2],
                    @ref = reference,
                    commit_id = sha,
                    encoding = "base64",
                    content = Convert.ToBase64String(Encoding.UTF8.GetBytes(content)),
                }, new Dictionary<string, string> { ["X-Gitlab-File-Path"] = rest[2], ["X-Gitlab-Commit-Id"] = sha });
            }

            case CreateCommitRoute:
                return CreateCommit(body);

            case ListMergeRequestsRoute:
            {
                IEnumerable<MergeRequest> list = mergeRequests;
                if (query.TryGetValue("source_branch", out var source))
                {
                    list = list.Where(m => m.SourceBranch == source.ToString());
                }

                var state = query["state"].ToString();
                if (state is not ("" or "all"))
                {
                    list = list.Where(m => m.State == state);
                }

                return Page(ctx, list.OrderByDescending(m => m.Iid).Select(MrJson).ToList());
            }

            case CreateMergeRequestRoute:
            {
                var source = Str(body, "source_branch");
                var target = Str(body, "target_branch");
                var title = Str(body, "title");
                if (source is null || target is null || title is null)
                {
                    return new Reply(400, new { error = "source_branch, target_branch, title are required" });
                }

                if (!branches.ContainsKey(source) || !branches.ContainsKey(target))
                {
                    return new Reply(422, new { message = new[] { "Source branch does not exist" } });
                }

                if (mergeRequests.FirstOrDefault(m => m.SourceBranch == source && m.State == "opened") is { } open)
                {
                    return new Reply(409, new { message = new[] { $"Another open merge request already exists for this source branch: !{open.Iid}" } });
                }

                var labels = (Str(body, "labels") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
                var mr = new MergeRequest(++nextId, mergeRequests.Count + 1, title, Str(body, "description") ?? "", "opened", source, target, labels, null, null);
                mergeRequests.Add(mr);
                return new Reply(201, MrJson(mr));
            }

            case GetMergeRequestRoute:
                return FindMr(rest[1]) is { } found ? new Reply(200, MrJson(found)) : MrNotFound();

            case UpdateMergeRequestRoute:
            {
                if (FindMr(rest[1]) is not { } mr)
                {
                    return MrNotFound();
                }

                var updated = mr;
                if (Str(body, "labels") is { } labels)
                {
                    updated = updated with { Labels = [.. labels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct()] };
                }

                if (Str(body, "state_event") is { } stateEvent && mr.State != "merged")
                {
                    updated = updated with { State = stateEvent == "close" ? "closed" : stateEvent == "reopen" ? "opened" : mr.State };
                }

                Replace(mr, updated);
                return new Reply(200, MrJson(updated));
            }

            case MergeRoute:
            {
                if (FindMr(rest[1]) is not { } mr)
                {
                    return MrNotFound();
                }

                if (mr.State != "opened")
                {
                    return new Reply(405, new { message = "405 Method Not Allowed" });
                }

                var sourceHead = branches[mr.SourceBranch];
                if (Str(body, "sha") is { } sha && sha != sourceHead)
                {
                    return new Reply(409, new { message = "SHA does not match HEAD of source branch: " + sourceHead });
                }

                var targetHead = branches[mr.TargetBranch];
                // Like git: a file both sides changed differently since their merge base is a conflict.
                var mergeBase = MergeBase(sourceHead, targetHead);
                var baseTree = commits[mergeBase].Tree;
                var conflicts = commits[sourceHead].Tree.Where(f =>
                    baseTree.GetValueOrDefault(f.Key) != f.Value
                    && commits[targetHead].Tree.GetValueOrDefault(f.Key) is { } theirs && theirs != baseTree.GetValueOrDefault(f.Key) && theirs != f.Value).ToList();
                if (conflicts.Count > 0)
                {
                    return new Reply(422, new { message = "Branch cannot be merged" });
                }
                var tree = new Dictionary<string, string>(commits[targetHead].Tree);
                foreach (var (path, content) in commits[sourceHead].Tree)
                {
                    tree[path] = content;
                }

                var merge = AddCommit(mr.TargetBranch, targetHead, tree, $"Merge branch '{mr.SourceBranch}' into '{mr.TargetBranch}'", sourceHead);
                var merged = mr with { State = "merged", MergeCommitSha = merge.Sha, FrozenSha = sourceHead };
                Replace(mr, merged);
                return new Reply(200, MrJson(merged));
            }

            case ListAwardsRoute:
            {
                if (FindMr(rest[1]) is not { } mr)
                {
                    return MrNotFound();
                }
                return Page(ctx, awards.Where(a => a.Iid == mr.Iid).OrderBy(a => a.Id).Select(a => (object)new
                {
                    id = a.Id,
                    name = a.Name,
                    user = new { id = 50 + a.Id, username = a.Username, name = a.Username },
                    awardable_id = mr.Id,
                    awardable_type = "MergeRequest",
                }).ToList());
            }

            case ListNotesRoute:
            {
                if (FindMr(rest[1]) is not { } mr)
                {
                    return MrNotFound();
                }

                var list = notes.Where(n => n.Iid == mr.Iid);
                list = query["sort"].ToString() == "asc" ? list.OrderBy(n => n.Id) : list.OrderByDescending(n => n.Id);
                return Page(ctx, list.Select(NoteJson).ToList());
            }

            case CreateNoteRoute:
            {
                if (FindMr(rest[1]) is not { } mr)
                {
                    return MrNotFound();
                }

                if (Str(body, "body") is not { Length: > 0 } text)
                {
                    return new Reply(400, new { error = "body is missing" });
                }

                var note = new Note(++nextId, mr.Iid, text, BotUsername, false);
                notes.Add(note);
                return new Reply(201, NoteJson(note));
            }

            case UpdateNoteRoute:
            {
                var id = long.Parse(rest[3], System.Globalization.CultureInfo.InvariantCulture);
                var index = notes.FindIndex(n => n.Id == id && n.Iid.ToString(System.Globalization.CultureInfo.InvariantCulture) == rest[1]);
                if (index < 0)
                {
                    return new Reply(404, new { message = "404 Note Not Found" });
                }

                notes[index] = notes[index] with { Body = Str(body, "body") ?? notes[index].Body };
                return new Reply(200, NoteJson(notes[index]));
            }

            case SetStatusRoute:
            {
                var sha = rest[1];
                if (!commits.ContainsKey(sha))
                {
                    return new Reply(404, new { message = "404 References Not Found" });
                }

                var name = Str(body, "name") ?? Str(body, "context") ?? "default";
                var state = Str(body, "state");
                if (state is not ("pending" or "running" or "success" or "failed" or "canceled" or "skipped"))
                {
                    return new Reply(400, new { error = "state does not have a valid value" });
                }

                var index = statuses.FindLastIndex(s => s.Sha == sha && s.Name == name);
                if (index >= 0 && statuses[index].State == state)
                {
                    return new Reply(400, new { message = $"Cannot transition status via :{state} from :{state}" });
                }

                var status = new Status(++nextId, sha, name, state, Str(body, "description"));
                statuses.Add(status);
                return new Reply(201, new { id = status.Id, sha, name, status = state, description = status.Description, @ref = (string?)null, allow_failure = false });
            }

            case CreateIssueRoute:
            {
                if (Str(body, "title") is not { Length: > 0 } title)
                {
                    return new Reply(400, new { error = "title is missing" });
                }

                var issue = new Issue(++nextId, issues.Count + 1, title, Str(body, "description"));
                issues.Add(issue);
                return new Reply(201, new
                {
                    id = issue.Id,
                    iid = issue.Iid,
                    project_id = ProjectId,
                    title,
                    description = issue.Description,
                    state = "opened",
                    labels = Array.Empty<string>(),
                    web_url = $"{BaseUrl}/{ProjectPath}/-/issues/{issue.Iid}",
                });
            }

            default:
                return new Reply(404, new { error = "404 Not Found" });
        }
    }

    private Reply CreateCommit(JsonElement body)
    {
        var branch = Str(body, "branch");
        var message = Str(body, "commit_message");
        if (branch is null || message is null || body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("actions", out var actions))
        {
            return new Reply(400, new { error = "branch is missing, commit_message is missing, actions is missing" });
        }

        var start = Str(body, "start_branch") ?? branch;
        var force = body.TryGetProperty("force", out var f) && f.ValueKind == JsonValueKind.True;
        if (start != branch && branches.ContainsKey(branch) && !force)
        {
            return new Reply(400, new { message = $"A branch called '{branch}' already exists. Switch to that branch in order to make changes" });
        }

        if (!branches.TryGetValue(start, out var parent))
        {
            return new Reply(400, new { message = "You can only create or edit files when you are on a branch" });
        }

        var tree = new Dictionary<string, string>(commits[parent].Tree);
        foreach (var action in actions.EnumerateArray())
        {
            var path = Str(action, "file_path") ?? "";
            switch (Str(action, "action"))
            {
                case "create" when tree.ContainsKey(path):
                    return new Reply(400, new { message = "A file with this name already exists" });
                case "update" or "delete" when !tree.ContainsKey(path):
                    return new Reply(400, new { message = "A file with this name doesn't exist" });
                case "create" or "update":
                    tree[path] = Str(action, "content") ?? "";
                    break;
                case "delete":
                    tree.Remove(path);
                    break;
                default:
                    return new Reply(400, new { error = "actions[0][action] does not have a valid value" });
            }
        }

        var commit = AddCommit(branch, parent, tree, message);
        return new Reply(201, CommitJson(commit));
    }

    private Reply Page<T>(HttpContext ctx, List<T> items)
    {
        var perPage = Math.Clamp(int.TryParse(ctx.Request.Query["per_page"], out var pp) ? pp : 20, 1, MaxPerPage);
        var page = Math.Max(1, int.TryParse(ctx.Request.Query["page"], out var p) ? p : 1);
        var totalPages = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var headers = new Dictionary<string, string>
        {
            ["x-page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["x-per-page"] = perPage.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["x-total"] = items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["x-total-pages"] = totalPages.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["x-next-page"] = page < totalPages ? (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
            ["x-prev-page"] = page > 1 ? (page - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
        };
        if (page < totalPages)
        {
            var q = QueryString.Create(ctx.Request.Query
                .Where(kv => kv.Key is not ("page" or "per_page"))
                .Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value.ToString()))
                .Append(new("page", (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Append(new("per_page", perPage.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            var rawPath = ctx.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget.Split('?')[0];
            headers["link"] = $"<{BaseUrl}{rawPath}{q}>; rel=\"next\"";
        }

        return new Reply(200, items.Skip((page - 1) * perPage).Take(perPage).ToList(), headers);
    }

    private MergeRequest? FindMr(string iid) =>
        mergeRequests.FirstOrDefault(m => m.Iid.ToString(System.Globalization.CultureInfo.InvariantCulture) == iid);

    private static Reply MrNotFound() => new(404, new { message = "404 Not found" });

    private void Replace(MergeRequest old, MergeRequest updated) => mergeRequests[mergeRequests.IndexOf(old)] = updated;

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private object BranchJson(string name, string sha) => new
    {
        name,
        commit = CommitJson(commits[sha]),
        merged = false,
        @protected = name == "main",
        @default = name == "main",
        web_url = $"{BaseUrl}/{ProjectPath}/-/tree/{Uri.EscapeDataString(name)}",
    };

    private object CommitJson(FakeCommit commit) => new
    {
        id = commit.Sha,
        short_id = commit.Sha[..11],
        title = commit.Message.Split('\n')[0],
        message = commit.Message,
        parent_ids = commit.ParentIds,
        author_name = "ComposeGate",
        web_url = $"{BaseUrl}/{ProjectPath}/-/commit/{commit.Sha}",
    };

    private object MrJson(MergeRequest mr) => new
    {
        id = mr.Id,
        iid = mr.Iid,
        project_id = ProjectId,
        title = mr.Title,
        description = mr.Description,
        state = mr.State,
        source_branch = mr.SourceBranch,
        target_branch = mr.TargetBranch,
        source_project_id = ProjectId,
        target_project_id = ProjectId,
        labels = mr.Labels,
        draft = false,
        merge_status = mr.State == "opened" ? "can_be_merged" : "unchecked",
        detailed_merge_status = mr.State == "opened" ? "mergeable" : "not_open",
        sha = mr.FrozenSha ?? branches.GetValueOrDefault(mr.SourceBranch),
        merge_commit_sha = mr.MergeCommitSha,
        squash_commit_sha = (string?)null,
        merge_error = (string?)null,
        web_url = $"{BaseUrl}/{ProjectPath}/-/merge_requests/{mr.Iid}",
        references = new { @short = $"!{mr.Iid}", full = $"{ProjectPath}!{mr.Iid}" },
    };

    private object NoteJson(Note note) => new
    {
        id = note.Id,
        body = note.Body,
        author = new { id = note.Author == BotUsername ? 7 : 8, username = note.Author, name = note.Author },
        system = note.System,
        noteable_id = note.Iid,
        noteable_type = "MergeRequest",
        noteable_iid = note.Iid,
        project_id = ProjectId,
        resolvable = false,
        confidential = false,
        @internal = false,
    };
}
