using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ComposeGate.Web.Forge.GitLab;

/// <summary>
/// Typed client for the GitLab REST API v4 (the subset ComposeGate needs), with retries.
/// </summary>
/// <remarks>
/// <para>Every call runs through a Polly pipeline: a per-attempt timeout inside a bounded retry
/// (exponential backoff with jitter) on 5xx, <see cref="HttpRequestException"/> and timeouts; a 429 waits
/// <c>Retry-After</c> seconds (else until <c>RateLimit-Reset</c>/<c>RateLimit-ResetTime</c>) before retrying.</para>
/// <para>Retry safety of writes: GET/HEAD/PUT are idempotent here (PUT replaces labels, closes, edits a note, or merges
/// with the sha guard) and are retried on every transient failure. POSTs whose duplicate GitLab itself rejects are
/// retried too, because the provider re-checks state on that rejection: create branch and create commit with
/// <c>start_branch</c> (a second attempt gets 400 "already exists"), create merge request (409 "Another open merge
/// request already exists"), commit status (same name and sha is updated, or 400 "Cannot transition status").
/// POSTs that would duplicate — notes and issues — are retried only when the request provably was not processed:
/// 429 (rejected by the rate limiter before the application) and failures to connect. Their callers re-check instead
/// (the status note is found again by its marker).</para>
/// <para>Neither the token nor any request header is ever logged or put into an exception message.</para>
/// </remarks>
public sealed class GitLabClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private const int PerPage = 100;
    private const int MaxPages = 1000;

    private readonly HttpClient http;
    private readonly GitLabOptions options;
    private readonly ILogger<GitLabClient> logger;
    private readonly TimeProvider time;
    private readonly Uri apiBase;
    private readonly string projectSegment;
    private readonly ResiliencePipeline<HttpResponseMessage> retryAll;
    private readonly ResiliencePipeline<HttpResponseMessage> retryUnprocessedOnly;

    /// <param name="timeProvider">Clock for retry/rate-limit waits (tests pass their own); the per-attempt timeout always uses the system clock.</param>
    public GitLabClient(HttpClient http, GitLabOptions options, ILogger<GitLabClient> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.BaseUrl, "options.BaseUrl");
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Project, "options.Project");
        this.http = http;
        this.options = options;
        this.logger = logger;
        time = timeProvider ?? TimeProvider.System;

        var baseUrl = options.BaseUrl.TrimEnd('/');
        if (!baseUrl.EndsWith("/api/v4", StringComparison.OrdinalIgnoreCase))
        {
            baseUrl += "/api/v4";
        }

        apiBase = new Uri(baseUrl + "/", UriKind.Absolute);
        projectSegment = "projects/" + Uri.EscapeDataString(options.Project.Trim());
        retryAll = BuildPipeline(retryProcessed: true);
        retryUnprocessedOnly = BuildPipeline(retryProcessed: false);
    }

    // ---------------------------------------------------------------- branches, files, commits

    /// <summary>The branch, or null when it does not exist.</summary>
    public Task<GitLabBranch?> GetBranchAsync(string branch, CancellationToken ct) =>
        TryGetAsync<GitLabBranch>($"{projectSegment}/repository/branches/{Esc(branch)}", ct);

    /// <summary>Creates <paramref name="branch"/> at <paramref name="reference"/> (branch or sha). 400 when it exists.</summary>
    public Task<GitLabBranch> CreateBranchAsync(string branch, string reference, CancellationToken ct) =>
        SendAsync<GitLabBranch>(HttpMethod.Post, $"{projectSegment}/repository/branches",
            new { branch, @ref = reference }, RetryMode.Always, ct);

    /// <summary>Whether <paramref name="filePath"/> exists at <paramref name="reference"/> (a HEAD on the files API).</summary>
    public async Task<bool> FileExistsAsync(string filePath, string reference, CancellationToken ct)
    {
        var path = $"{projectSegment}/repository/files/{Esc(filePath)}?ref={Esc(reference)}";
        using var response = await ExecuteAsync(HttpMethod.Head, path, null, RetryMode.Always, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await ThrowIfFailedAsync(response, HttpMethod.Head, path, ct);
        return true;
    }

    /// <summary>
    /// One commit with several file actions on <see cref="GitLabCreateCommit.Branch"/>; with
    /// <see cref="GitLabCreateCommit.StartBranch"/> the branch is created from it in the same step.
    /// </summary>
    public Task<GitLabCommit> CreateCommitAsync(GitLabCreateCommit commit, CancellationToken ct) =>
        SendAsync<GitLabCommit>(HttpMethod.Post, $"{projectSegment}/repository/commits", commit, RetryMode.Always, ct);

    // ---------------------------------------------------------------- merge requests

    /// <summary>Merge requests whose source branch is <paramref name="sourceBranch"/>; <paramref name="state"/> null = any state.</summary>
    public IAsyncEnumerable<GitLabMergeRequest> ListMergeRequestsAsync(string sourceBranch, string? state, CancellationToken ct) =>
        GetPagedAsync<GitLabMergeRequest>(
            $"{projectSegment}/merge_requests?source_branch={Esc(sourceBranch)}&state={Esc(state ?? "all")}&order_by=created_at&sort=desc", ct);

    public Task<GitLabMergeRequest> CreateMergeRequestAsync(GitLabCreateMergeRequest request, CancellationToken ct) =>
        SendAsync<GitLabMergeRequest>(HttpMethod.Post, $"{projectSegment}/merge_requests", request, RetryMode.Always, ct);

    public Task<GitLabMergeRequest> GetMergeRequestAsync(long iid, CancellationToken ct) =>
        SendAsync<GitLabMergeRequest>(HttpMethod.Get, $"{projectSegment}/merge_requests/{iid}", null, RetryMode.Always, ct);

    /// <summary>PUT on the merge request: <see cref="GitLabUpdateMergeRequest.Labels"/> replaces all labels; <c>StateEvent</c> close/reopen.</summary>
    public Task<GitLabMergeRequest> UpdateMergeRequestAsync(long iid, GitLabUpdateMergeRequest update, CancellationToken ct) =>
        SendAsync<GitLabMergeRequest>(HttpMethod.Put, $"{projectSegment}/merge_requests/{iid}", update, RetryMode.Always, ct);

    /// <summary>Merges with the head guard: GitLab answers 409 when <paramref name="sha"/> is not the source head, 405/406/422 when it cannot merge.</summary>
    public Task<GitLabMergeRequest> MergeMergeRequestAsync(long iid, string? sha, CancellationToken ct) =>
        SendAsync<GitLabMergeRequest>(HttpMethod.Put, $"{projectSegment}/merge_requests/{iid}/merge",
            new { sha }, RetryMode.Always, ct);

    // ---------------------------------------------------------------- notes

    /// <summary>All notes of the merge request, oldest first.</summary>
    public IAsyncEnumerable<GitLabAward> ListMergeRequestAwardsAsync(long iid, CancellationToken ct) =>
        GetPagedAsync<GitLabAward>($"{projectSegment}/merge_requests/{iid}/award_emoji", ct);

    public IAsyncEnumerable<GitLabNote> ListMergeRequestNotesAsync(long iid, CancellationToken ct) =>
        GetPagedAsync<GitLabNote>($"{projectSegment}/merge_requests/{iid}/notes?sort=asc&order_by=created_at", ct);

    /// <summary>Not retried on 5xx/timeouts (a retry could post it twice); callers re-check for it.</summary>
    public Task<GitLabNote> CreateMergeRequestNoteAsync(long iid, string body, CancellationToken ct) =>
        SendAsync<GitLabNote>(HttpMethod.Post, $"{projectSegment}/merge_requests/{iid}/notes", new { body }, RetryMode.UnprocessedOnly, ct);

    public Task<GitLabNote> UpdateMergeRequestNoteAsync(long iid, long noteId, string body, CancellationToken ct) =>
        SendAsync<GitLabNote>(HttpMethod.Put, $"{projectSegment}/merge_requests/{iid}/notes/{noteId}", new { body }, RetryMode.Always, ct);

    // ---------------------------------------------------------------- statuses, issues

    /// <summary>Sets the commit status <paramref name="name"/> on <paramref name="sha"/> (pending, running, success, failed, canceled, skipped).</summary>
    public Task<GitLabCommitStatus> SetCommitStatusAsync(string sha, string name, string state, string? description, string? targetUrl, CancellationToken ct) =>
        SendAsync<GitLabCommitStatus>(HttpMethod.Post, $"{projectSegment}/statuses/{Esc(sha)}",
            new { state, name, description = Truncate(description, 255), target_url = targetUrl }, RetryMode.Always, ct);

    /// <summary>Not retried on 5xx/timeouts (a retry could open it twice).</summary>
    public Task<GitLabIssue> CreateIssueAsync(string title, string? description, string? labels, CancellationToken ct) =>
        SendAsync<GitLabIssue>(HttpMethod.Post, $"{projectSegment}/issues", new { title, description, labels }, RetryMode.UnprocessedOnly, ct);

    // ---------------------------------------------------------------- plumbing

    /// <summary>
    /// Every item of a paginated list: follows <c>x-next-page</c>, or a <c>Link rel="next"</c> on the same origin
    /// (a link elsewhere is never followed, so the token is never sent to another host).
    /// </summary>
    public async IAsyncEnumerable<T> GetPagedAsync<T>(string relativePath, [EnumeratorCancellation] CancellationToken ct)
    {
        var separator = relativePath.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        string? next = $"{relativePath}{separator}per_page={PerPage}&page=1";
        for (var pages = 0; next is not null && pages < MaxPages; pages++)
        {
            var current = next;
            using var response = await ExecuteAsync(HttpMethod.Get, current, null, RetryMode.Always, ct);
            await ThrowIfFailedAsync(response, HttpMethod.Get, current, ct);
            var items = await response.Content.ReadFromJsonAsync<List<T>>(Json, ct) ?? [];
            foreach (var item in items)
            {
                yield return item;
            }

            next = NextPage(response, current, items.Count);
        }
    }

    private string? NextPage(HttpResponseMessage response, string current, int count)
    {
        if (count == 0)
        {
            return null;
        }

        if (response.Headers.TryGetValues("x-next-page", out var values))
        {
            var value = values.FirstOrDefault()?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                return null;
            }

            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var page))
            {
                return WithPage(current, page);
            }
        }

        if (response.Headers.TryGetValues("Link", out var links))
        {
            foreach (var link in string.Join(",", links).Split(','))
            {
                var parts = link.Split(';');
                if (parts.Length < 2 || !parts.Skip(1).Any(p => p.Trim() is "rel=\"next\"" or "rel=next"))
                {
                    continue;
                }

                var url = parts[0].Trim().TrimStart('<').TrimEnd('>');
                if (Uri.TryCreate(url, UriKind.Absolute, out var uri)
                    && Uri.Compare(uri, apiBase, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0
                    && uri.AbsolutePath.StartsWith(apiBase.AbsolutePath, StringComparison.Ordinal))
                {
                    return uri.PathAndQuery[apiBase.AbsolutePath.Length..];
                }
            }
        }

        return null;
    }

    private static string WithPage(string path, int page)
    {
        var q = path.IndexOf('?', StringComparison.Ordinal);
        var query = path[(q + 1)..].Split('&').Where(p => !p.StartsWith("page=", StringComparison.Ordinal));
        return path[..q] + "?" + string.Join("&", query) + "&page=" + page.ToString(CultureInfo.InvariantCulture);
    }

    private async Task<T?> TryGetAsync<T>(string path, CancellationToken ct) where T : class
    {
        using var response = await ExecuteAsync(HttpMethod.Get, path, null, RetryMode.Always, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await ThrowIfFailedAsync(response, HttpMethod.Get, path, ct);
        return await ReadAsync<T>(response, HttpMethod.Get, path, ct);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, RetryMode mode, CancellationToken ct) where T : class
    {
        using var response = await ExecuteAsync(method, path, body, mode, ct);
        await ThrowIfFailedAsync(response, method, path, ct);
        return await ReadAsync<T>(response, method, path, ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpMethod method, string path, CancellationToken ct) where T : class
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, ct)
                ?? throw new GitLabException(GitLabErrorKind.InvalidResponse, (int)response.StatusCode, method.Method, StripQuery(path), "empty response body");
        }
        catch (JsonException e)
        {
            throw new GitLabException(GitLabErrorKind.InvalidResponse, (int)response.StatusCode, method.Method, StripQuery(path), "response is not the expected JSON: " + e.Message);
        }
    }

    private async Task<HttpResponseMessage> ExecuteAsync(HttpMethod method, string path, object? body, RetryMode mode, CancellationToken ct)
    {
        var content = body is null ? null : JsonSerializer.Serialize(body, body.GetType(), Json);
        var uri = new Uri(apiBase, path);
        var pipeline = mode == RetryMode.Always ? retryAll : retryUnprocessedOnly;
        try
        {
            return await pipeline.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(method, uri);
                request.Headers.TryAddWithoutValidation("PRIVATE-TOKEN", options.Token);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (content is not null)
                {
                    request.Content = new StringContent(content, Encoding.UTF8, "application/json");
                }

                var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
                logger.LogDebug("GitLab {Method} {Path} -> {Status}", method.Method, StripQuery(path), (int)response.StatusCode);
                return response;
            }, ct);
        }
        catch (TimeoutRejectedException e)
        {
            throw new GitLabException(GitLabErrorKind.Timeout, null, method.Method, StripQuery(path),
                $"no response within {options.Resilience.AttemptTimeout.TotalSeconds:0.###}s", e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new GitLabException(GitLabErrorKind.Timeout, null, method.Method, StripQuery(path), "the request timed out", e);
        }
        catch (HttpRequestException e)
        {
            throw new GitLabException(GitLabErrorKind.Transport, null, method.Method, StripQuery(path), Redact(e.Message), e);
        }
    }

    private async Task ThrowIfFailedAsync(HttpResponseMessage response, HttpMethod method, string path, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException)
        {
            text = "";
        }

        var message = Redact(ParseMessage(text));
        var kind = status switch
        {
            400 => GitLabErrorKind.BadRequest,
            401 => GitLabErrorKind.Unauthorized,
            403 => GitLabErrorKind.Forbidden,
            404 => GitLabErrorKind.NotFound,
            405 => GitLabErrorKind.NotMergeable,
            406 or 422 => GitLabErrorKind.CannotMerge,
            409 => GitLabErrorKind.Conflict,
            429 => GitLabErrorKind.RateLimited,
            >= 500 => GitLabErrorKind.ServerError,
            _ => GitLabErrorKind.ClientError,
        };
        logger.LogWarning("GitLab {Method} {Path} failed: {Status} {Kind}", method.Method, StripQuery(path), status, kind);
        throw new GitLabException(kind, status, method.Method, StripQuery(path), message);
    }

    /// <summary>GitLab's error text: <c>message</c> as a string, a list, or a field→errors map; or <c>error</c>; or plain text.</summary>
    internal static string ParseMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "";
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in new[] { "message", "error", "error_description" })
                {
                    if (doc.RootElement.TryGetProperty(name, out var value))
                    {
                        return Truncate(Flatten(value), 1000)!;
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return Truncate(body.Trim(), 1000)!;
    }

    private static string Flatten(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Array => string.Join("; ", value.EnumerateArray().Select(Flatten)),
        JsonValueKind.Object => string.Join("; ", value.EnumerateObject().Select(p => $"{p.Name} {Flatten(p.Value)}")),
        _ => value.GetRawText(),
    };

    private string Redact(string text) =>
        string.IsNullOrEmpty(options.Token) || string.IsNullOrEmpty(text)
            ? text
            : text.Replace(options.Token, "[redacted]", StringComparison.Ordinal);

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline(bool retryProcessed)
    {
        var settings = options.Resilience;
        // The attempt timeout runs on the system clock; the retry waits use the injected clock (tests record them).
        var attemptTimeout = new ResiliencePipelineBuilder().AddTimeout(settings.AttemptTimeout).Build();
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(0, settings.MaxRetryAttempts),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.BaseDelay,
                MaxDelay = settings.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, retryProcessed)),
                DelayGenerator = args => ValueTask.FromResult(RateLimitDelay(args.Outcome.Result)),
                OnRetry = args =>
                {
                    var status = args.Outcome.Result is { } r ? (int)r.StatusCode : (int?)null;
                    logger.LogWarning("GitLab request failed ({Status} {Error}); retry {Attempt} in {Delay}",
                        status, args.Outcome.Exception?.GetType().Name, args.AttemptNumber + 1, args.RetryDelay);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddPipeline(attemptTimeout)
            .Build();
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, bool retryProcessed)
    {
        if (outcome.Result is { } response)
        {
            var status = (int)response.StatusCode;
            return status == 429 || (retryProcessed && status >= 500);
        }

        return outcome.Exception switch
        {
            HttpRequestException e => retryProcessed || e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError,
            TimeoutRejectedException => retryProcessed,
            _ => false,
        };
    }

    /// <summary>For a 429: Retry-After (seconds or date), else RateLimit-Reset (Unix time) or RateLimit-ResetTime; null = backoff.</summary>
    private TimeSpan? RateLimitDelay(HttpResponseMessage? response)
    {
        if (response is null || (int)response.StatusCode != 429)
        {
            return null;
        }

        var now = time.GetUtcNow();
        TimeSpan? wait = null;
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - now : null);
        }
        else if (response.Headers.TryGetValues("RateLimit-Reset", out var reset)
                 && long.TryParse(reset.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
        {
            wait = DateTimeOffset.FromUnixTimeSeconds(unix) - now;
        }
        else if (response.Headers.TryGetValues("RateLimit-ResetTime", out var resetTime)
                 && DateTimeOffset.TryParse(resetTime.FirstOrDefault(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            wait = at - now;
        }

        if (wait is null)
        {
            return null;
        }

        var max = options.Resilience.MaxRateLimitWait;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > max ? max : wait;
    }

    private static string Esc(string value) => Uri.EscapeDataString(value);

    private static string StripQuery(string path)
    {
        var q = path.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? path : path[..q];
    }

    private static string? Truncate(string? value, int max) =>
        value is null || value.Length <= max ? value : value[..max];

    private enum RetryMode
    {
        /// <summary>Retried on every transient failure (idempotent, or a duplicate is rejected and re-checked).</summary>
        Always,

        /// <summary>Retried only when the request was provably not processed (429, connection failure).</summary>
        UnprocessedOnly,
    }
}

public enum GitLabErrorKind
{
    /// <summary>400: a missing/invalid parameter, or "already exists".</summary>
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    /// <summary>405 on merge: the merge request cannot be merged now (draft, closed, pipeline, blocked…).</summary>
    NotMergeable,
    /// <summary>406 (older GitLab) or 422: the merge attempt failed / unprocessable.</summary>
    CannotMerge,
    /// <summary>409: another open MR for the source branch, or the merge sha does not match the head.</summary>
    Conflict,
    /// <summary>429 after the retries were used up.</summary>
    RateLimited,
    /// <summary>Any other 4xx.</summary>
    ClientError,
    /// <summary>5xx after the retries were used up (or at once for a non-retryable POST).</summary>
    ServerError,
    Timeout,
    Transport,
    InvalidResponse,
}

/// <summary>A failed GitLab call. The message holds GitLab's own <c>message</c> text, never the token.</summary>
public sealed class GitLabException : Exception
{
    public GitLabException(GitLabErrorKind kind, int? statusCode, string method, string path, string? gitLabMessage, Exception? inner = null)
        : base(Describe(kind, statusCode, method, path, gitLabMessage), inner)
    {
        Kind = kind;
        StatusCode = statusCode;
        GitLabMessage = gitLabMessage ?? "";
    }

    public GitLabErrorKind Kind { get; }

    public int? StatusCode { get; }

    /// <summary>GitLab's <c>message</c> (flattened when it is a list or a map).</summary>
    public string GitLabMessage { get; }

    /// <summary>Whether retrying later could succeed (5xx, 429, timeouts, transport errors).</summary>
    public bool IsTransient => Kind is GitLabErrorKind.ServerError or GitLabErrorKind.RateLimited or GitLabErrorKind.Timeout or GitLabErrorKind.Transport;

    private static string Describe(GitLabErrorKind kind, int? status, string method, string path, string? message)
    {
        var head = status is null ? $"GitLab {method} {path} failed ({kind})" : $"GitLab {method} {path} failed: {status} {kind}";
        return string.IsNullOrWhiteSpace(message) ? head : $"{head}: {message}";
    }
}

// ---------------------------------------------------------------- wire types (snake_case JSON)

public sealed record GitLabUser(long Id, string? Username, string? Name);

/// <summary>An award emoji ("reaction"); <c>name</c> without colons, e.g. <c>thumbsup</c>.</summary>
public sealed record GitLabAward(long Id, string Name, GitLabUser? User, string? AwardableType);

public sealed record GitLabCommit(string Id, string? ShortId, string? Title, string? Message, IReadOnlyList<string>? ParentIds, string? WebUrl);

public sealed record GitLabBranch(string Name, GitLabCommit Commit, bool Merged, bool Protected, bool Default, string? WebUrl);

public sealed record GitLabMergeRequest(
    long Id,
    long Iid,
    long ProjectId,
    string Title,
    string? Description,
    string State,
    string SourceBranch,
    string TargetBranch,
    string? Sha,
    string? MergeCommitSha,
    string? SquashCommitSha,
    string WebUrl,
    IReadOnlyList<string>? Labels,
    string? DetailedMergeStatus,
    string? MergeError,
    bool Draft);

public sealed record GitLabNote(long Id, string Body, GitLabUser? Author, bool System, long? NoteableIid);

public sealed record GitLabCommitStatus(long Id, string Sha, string Name, string Status, string? Description);

public sealed record GitLabIssue(long Id, long Iid, string Title, string? Description, string State, string WebUrl);

/// <summary>Body of <c>POST /projects/:id/repository/commits</c>.</summary>
public sealed record GitLabCreateCommit(
    string Branch,
    string CommitMessage,
    IReadOnlyList<GitLabCommitAction> Actions,
    string? StartBranch = null,
    string? StartSha = null,
    bool? Force = null);

/// <summary>One file action: create, update, delete, move or chmod.</summary>
public sealed record GitLabCommitAction(string Action, string FilePath, string? Content = null, string? PreviousPath = null, string? LastCommitId = null);

/// <summary>Body of <c>POST /projects/:id/merge_requests</c>; labels comma-separated.</summary>
public sealed record GitLabCreateMergeRequest(
    string SourceBranch,
    string TargetBranch,
    string Title,
    string? Description = null,
    string? Labels = null,
    bool? RemoveSourceBranch = null);

/// <summary>Body of <c>PUT /projects/:id/merge_requests/:iid</c>; null fields are not sent. <c>Labels</c> replaces all ("" clears).</summary>
public sealed record GitLabUpdateMergeRequest(
    string? Labels = null,
    string? AddLabels = null,
    string? RemoveLabels = null,
    string? StateEvent = null,
    string? Title = null,
    string? Description = null);
