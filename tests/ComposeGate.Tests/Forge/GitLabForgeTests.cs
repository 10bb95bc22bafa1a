using System.Collections.Concurrent;
using ComposeGate.Forge;
using ComposeGate.Web.Forge;
using ComposeGate.Web.Forge.GitLab;
using Microsoft.Extensions.Logging;

namespace ComposeGate.Tests.Forge;

public sealed class GitLabForgeTests : IAsyncLifetime
{
    private const string Source = "candidates/web/c-001";

    private readonly RecordingTimeProvider clock = new();
    private readonly CapturingLoggerProvider logs = new();
    private readonly List<HttpClient> httpClients = [];
    private FakeGitLab gitlab = null!;

    public async Task InitializeAsync() => gitlab = await FakeGitLab.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var http in httpClients)
        {
            http.Dispose();
        }

        await gitlab.DisposeAsync();
    }

    // ---------------------------------------------------------------- lifecycle

    [Fact]
    public async Task EnsureMergeRequest_NewCandidate_CreatesBranchWithFilesAndPendingMr()
    {
        var forge = CreateForge();
        var mainHead = gitlab.BranchHead("main");

        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);

        Assert.Equal(ForgeProvider.GitLab, forge.Provider);
        Assert.Equal(1, mr.Number);
        Assert.Equal(MergeRequestState.Opened, mr.State);
        Assert.Equal("gate::pending", mr.GateLabel);
        Assert.Equal(Source, mr.SourceBranch);
        Assert.Equal("main", mr.TargetBranch);
        Assert.Equal($"{gitlab.BaseUrl}/group/compose/-/merge_requests/1", mr.Url);
        Assert.Equal(gitlab.BranchHead(Source), mr.HeadSha);
        var files = gitlab.Files(Source);
        Assert.Equal("services:\n  web: {image: web:2}\n", files["compose.yaml"]);
        Assert.Equal("WEB_TAG=2\n", files["env/web.env"]);
        Assert.Equal("compose repo\n", files["README.md"]);
        var commit = gitlab.Commit(mr.HeadSha!);
        Assert.Equal([mainHead!], commit.ParentIds);
        Assert.Equal("Promote web 2", commit.Message);
        Assert.Equal(["gate::pending"], gitlab.MergeRequests.Single().Labels);
        // The project path and the branch travel URL-encoded.
        Assert.Contains(gitlab.Requests, r => r.RawPath == "/api/v4/projects/group%2Fcompose/repository/branches/candidates%2Fweb%2Fc-001");
        Assert.Contains(gitlab.Requests, r => r.RawPath == "/api/v4/projects/group%2Fcompose/repository/files/env%2Fweb.env");
    }

    [Fact]
    public async Task UpdateStatus_Twice_EditsOneNoteSwapsLabelAndPostsStatuses()
    {
        var forge = CreateForge();
        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);
        // Someone adds a label of their own; it must survive.
        await CreateClient().UpdateMergeRequestAsync(mr.Number, new GitLabUpdateMergeRequest(Labels: "gate::pending,team::web"), CancellationToken.None);

        var first = await forge.UpdateStatusAsync(mr, new GateStatus("gate::running", "Checks running",
            [new RequirementCommitStatus("tests", "running", "2 of 3"), new RequirementCommitStatus("approval", "pending", "waiting")]), CancellationToken.None);
        var second = await forge.UpdateStatusAsync(first, new GateStatus("gate::passed", "All green",
            [new RequirementCommitStatus("tests", "success", "3 of 3"), new RequirementCommitStatus("approval", "success", "approved by ana")]), CancellationToken.None);

        var note = Assert.Single(gitlab.Notes(mr.Number));
        Assert.Equal(first.StatusNoteId, note.Id);
        Assert.Equal(second.StatusNoteId, note.Id);
        Assert.StartsWith(GitLabForge.StatusNoteMarker, note.Body, StringComparison.Ordinal);
        Assert.EndsWith("All green", note.Body, StringComparison.Ordinal);
        Assert.Equal(1, gitlab.Count(FakeGitLab.CreateNoteRoute));
        Assert.Equal(1, gitlab.Count(FakeGitLab.UpdateNoteRoute));
        Assert.Equal(3, gitlab.Count(FakeGitLab.UpdateMergeRequestRoute));
        Assert.Equal("gate::passed", second.GateLabel);
        Assert.Equal(["team::web", "gate::passed"], gitlab.MergeRequests.Single().Labels);
        Assert.Equal(mr.HeadSha, second.HeadSha);
        var statuses = gitlab.Statuses;
        Assert.Equal(4, statuses.Count);
        Assert.All(statuses, s => Assert.Equal(mr.HeadSha, s.Sha));
        Assert.Equal(["composegate/approval:pending", "composegate/approval:success", "composegate/tests:running", "composegate/tests:success"],
            statuses.Select(s => $"{s.Name}:{s.State}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UpdateStatus_SameStatusAgain_SendsNoLabelChangeAndIgnoresUnchangedStatuses()
    {
        var forge = CreateForge();
        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);
        var status = new GateStatus("gate::pending", "Waiting", [new RequirementCommitStatus("tests", "pending", "queued")]);

        var first = await forge.UpdateStatusAsync(mr, status, CancellationToken.None);
        var again = await forge.UpdateStatusAsync(first, status, CancellationToken.None);

        Assert.Equal(first.StatusNoteId, again.StatusNoteId);
        Assert.Equal(0, gitlab.Count(FakeGitLab.UpdateMergeRequestRoute));
        Assert.Single(gitlab.Statuses);
        Assert.Single(gitlab.Notes(mr.Number));
    }

    [Fact]
    public async Task MergeAsync_OpenMr_MergesWithHeadShaAndReturnsMergeSha()
    {
        var forge = CreateForge();
        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);

        var merged = await forge.MergeAsync(mr, Candidate(), CancellationToken.None);
        var again = await forge.MergeAsync(merged, Candidate(), CancellationToken.None);

        Assert.Equal(MergeRequestState.Merged, merged.State);
        Assert.NotNull(merged.MergeSha);
        Assert.Equal(gitlab.BranchHead("main"), merged.MergeSha);
        Assert.Equal("WEB_TAG=2\n", gitlab.Files("main")["env/web.env"]);
        Assert.Equal(merged, again);
        Assert.Equal(1, gitlab.Count(FakeGitLab.MergeRoute));
    }

    [Fact]
    public async Task CloseAsync_OpenMr_PostsReasonOnceAndCloses()
    {
        var forge = CreateForge();
        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);

        var closed = await forge.CloseAsync(mr, "Superseded by c-002", CancellationToken.None);
        var again = await forge.CloseAsync(closed, "Superseded by c-002", CancellationToken.None);

        Assert.Equal(MergeRequestState.Closed, closed.State);
        Assert.Equal(MergeRequestState.Closed, again.State);
        var note = Assert.Single(gitlab.Notes(mr.Number));
        Assert.EndsWith("Superseded by c-002", note.Body, StringComparison.Ordinal);
        Assert.Equal("closed", gitlab.MergeRequests.Single().State);
        Assert.Equal(1, gitlab.Count(FakeGitLab.UpdateMergeRequestRoute));
    }

    [Fact]
    public async Task OpenIssueAsync_TitleAndBody_CreatesIssue()
    {
        var issue = await CreateForge().OpenIssueAsync("Promotion of web failed", "see run 12", CancellationToken.None);

        Assert.Equal(1, issue.Number);
        Assert.Equal("Promotion of web failed", issue.Title);
        Assert.Equal($"{gitlab.BaseUrl}/group/compose/-/issues/1", issue.Url);
        Assert.Equal("see run 12", Assert.Single(gitlab.Issues).Description);
    }

    [Theory]
    [InlineData("opened", MergeRequestState.Opened)]
    [InlineData("locked", MergeRequestState.Opened)]
    [InlineData("closed", MergeRequestState.Closed)]
    [InlineData("merged", MergeRequestState.Merged)]
    public void MapState_GitLabState_MapsToMergeRequestState(string state, MergeRequestState expected) =>
        Assert.Equal(expected, GitLabForge.MapState(state));

    // ---------------------------------------------------------------- idempotency

    [Fact]
    public async Task EnsureMergeRequest_CalledTwice_OpensOneMr()
    {
        var forge = CreateForge();

        var first = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);
        var second = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Single(gitlab.MergeRequests);
        Assert.Equal(1, gitlab.Count(FakeGitLab.CreateMergeRequestRoute));
        Assert.Equal(1, gitlab.Count(FakeGitLab.CreateCommitRoute));
    }

    [Fact]
    public async Task EnsureMergeRequest_AfterCrashWithMrUnrecorded_ReturnsSameMr()
    {
        var before = await CreateForge().EnsureMergeRequestAsync(Candidate(), CancellationToken.None);

        // A new process that never saw the answer.
        var after = await CreateForge().EnsureMergeRequestAsync(Candidate(), CancellationToken.None);

        Assert.Equal(before.Number, after.Number);
        Assert.Equal(before.HeadSha, after.HeadSha);
        Assert.Single(gitlab.MergeRequests);
    }

    [Fact]
    public async Task EnsureMergeRequest_CrashAfterBranchCreated_ReusesBranchAndOpensOneMr()
    {
        gitlab.Inject(FakeGitLab.CreateMergeRequestRoute, FakeFault.ServerError(), times: 5);
        var error = await Assert.ThrowsAsync<GitLabException>(() => CreateForge().EnsureMergeRequestAsync(Candidate(), CancellationToken.None));
        Assert.Equal(GitLabErrorKind.ServerError, error.Kind);
        var head = gitlab.BranchHead(Source);

        var mr = await CreateForge().EnsureMergeRequestAsync(Candidate(), CancellationToken.None);

        Assert.Equal(head, mr.HeadSha);
        Assert.Equal(1, gitlab.Count(FakeGitLab.CreateCommitRoute));
        Assert.Single(gitlab.MergeRequests);
    }

    [Fact]
    public async Task EnsureMergeRequest_ConcurrentAttemptOpenedIt_ReturnsExistingOn409()
    {
        gitlab.Inject(FakeGitLab.CreateMergeRequestRoute, FakeFault.Run(f => f.OpenMergeRequest(Source, "main", "other instance", "gate::pending")));

        var mr = await CreateForge().EnsureMergeRequestAsync(Candidate(), CancellationToken.None);

        Assert.Equal(1, mr.Number);
        Assert.Equal("other instance", Assert.Single(gitlab.MergeRequests).Title);
        Assert.Contains(gitlab.Requests, r => r.Route == FakeGitLab.CreateMergeRequestRoute && r.Status == 409);
    }

    [Fact]
    public async Task EnsureMergeRequest_CreateResponsesLost_RetriesAndStillOneBranchCommitAndMr()
    {
        gitlab.Inject(FakeGitLab.CreateCommitRoute, FakeFault.LostResponse());
        gitlab.Inject(FakeGitLab.CreateMergeRequestRoute, FakeFault.LostResponse());

        var mr = await CreateForge().EnsureMergeRequestAsync(Candidate(), CancellationToken.None);

        Assert.Equal(1, mr.Number);
        Assert.Single(gitlab.MergeRequests);
        Assert.Equal(2, gitlab.Count(FakeGitLab.CreateMergeRequestRoute));
        Assert.Single(gitlab.Commit(gitlab.BranchHead(Source)!).ParentIds);
        Assert.Equal(gitlab.BranchHead("main"), gitlab.Commit(gitlab.BranchHead(Source)!).ParentIds[0]);
    }

    [Fact]
    public async Task UpdateStatus_NoteCreateResponseLost_NotRetriedAndNextCallFindsTheNote()
    {
        var forge = CreateForge();
        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);
        gitlab.Inject(FakeGitLab.CreateNoteRoute, FakeFault.LostResponse());
        var status = new GateStatus("gate::running", "Checks running", []);

        var error = await Assert.ThrowsAsync<GitLabException>(() => forge.UpdateStatusAsync(mr, status, CancellationToken.None));
        var updated = await forge.UpdateStatusAsync(mr, status, CancellationToken.None);

        Assert.Equal(GitLabErrorKind.ServerError, error.Kind);
        Assert.Equal(1, gitlab.Count(FakeGitLab.CreateNoteRoute));
        Assert.Equal(Assert.Single(gitlab.Notes(mr.Number)).Id, updated.StatusNoteId);
    }

    [Fact]
    public async Task UpdateStatus_MarkerNoteByAnotherAuthorOnLaterPage_EditsItViaPagination()
    {
        var forge = CreateForge();
        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);
        gitlab.MaxPerPage = 2;
        for (var i = 0; i < 5; i++)
        {
            gitlab.AddNote(mr.Number, $"comment {i}", "ana");
        }

        var marked = gitlab.AddNote(mr.Number, GitLabForge.StatusNoteMarker + "\nold", "old-bot");

        var updated = await forge.UpdateStatusAsync(mr, new GateStatus("gate::running", "new", []), CancellationToken.None);

        Assert.Equal(marked.Id, updated.StatusNoteId);
        Assert.Equal(6, gitlab.Notes(mr.Number).Count);
        Assert.Equal(GitLabForge.StatusNoteMarker + "\nnew", gitlab.Notes(mr.Number).Single(n => n.Id == marked.Id).Body);
        Assert.Equal(0, gitlab.Count(FakeGitLab.CreateNoteRoute));
        Assert.Equal(3, gitlab.Count(FakeGitLab.ListNotesRoute));
    }

    // ---------------------------------------------------------------- faults

    [Fact]
    public async Task GetMergeRequest_TwoServerErrorsThenSuccess_Succeeds()
    {
        var mr = gitlab.OpenMergeRequest("main", "main", "x");
        gitlab.Inject(FakeGitLab.GetMergeRequestRoute, FakeFault.ServerError(), times: 2);

        var found = await CreateClient().GetMergeRequestAsync(mr.Iid, CancellationToken.None);

        Assert.Equal(mr.Iid, found.Iid);
        Assert.Equal(3, gitlab.Count(FakeGitLab.GetMergeRequestRoute));
        Assert.Equal(2, clock.Delays.Count);
    }

    [Fact]
    public async Task GetMergeRequest_ServerErrorForever_ThrowsServerErrorAfterBoundedRetries()
    {
        var mr = gitlab.OpenMergeRequest("main", "main", "x");
        gitlab.Inject(FakeGitLab.GetMergeRequestRoute, FakeFault.Error(503, "GitLab is not responding"), times: 100);

        var error = await Assert.ThrowsAsync<GitLabException>(() => CreateClient().GetMergeRequestAsync(mr.Iid, CancellationToken.None));

        Assert.Equal(GitLabErrorKind.ServerError, error.Kind);
        Assert.Equal(503, error.StatusCode);
        Assert.Contains("GitLab is not responding", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, gitlab.Count(FakeGitLab.GetMergeRequestRoute));
        // Backoff (exponential with jitter) between the attempts, bounded by MaxDelay.
        Assert.Equal(4, clock.Delays.Count);
        Assert.All(clock.Delays, d => Assert.InRange(d, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task GetMergeRequest_FirstAttemptTimesOut_RetriesAndSucceeds()
    {
        var mr = gitlab.OpenMergeRequest("main", "main", "x");
        gitlab.Inject(FakeGitLab.GetMergeRequestRoute, FakeFault.Slow(TimeSpan.FromSeconds(10)));

        var found = await CreateClient(attemptTimeout: TimeSpan.FromSeconds(1)).GetMergeRequestAsync(mr.Iid, CancellationToken.None);

        Assert.Equal(mr.Iid, found.Iid);
        Assert.Equal(2, gitlab.Requests.Count(r => r.Route == FakeGitLab.GetMergeRequestRoute));
    }

    [Fact]
    public async Task GetMergeRequest_AlwaysSlow_ThrowsTimeout()
    {
        var mr = gitlab.OpenMergeRequest("main", "main", "x");
        gitlab.Inject(FakeGitLab.GetMergeRequestRoute, FakeFault.Slow(TimeSpan.FromSeconds(10)), times: 10);

        var error = await Assert.ThrowsAsync<GitLabException>(() =>
            CreateClient(attemptTimeout: TimeSpan.FromMilliseconds(100), retries: 1).GetMergeRequestAsync(mr.Iid, CancellationToken.None));

        Assert.Equal(GitLabErrorKind.Timeout, error.Kind);
    }

    [Fact]
    public async Task GetMergeRequest_RateLimitedWithRetryAfter_WaitsRetryAfterThenRetries()
    {
        var mr = gitlab.OpenMergeRequest("main", "main", "x");
        gitlab.Inject(FakeGitLab.GetMergeRequestRoute, FakeFault.RateLimited(retryAfterSeconds: 7));

        var found = await CreateClient().GetMergeRequestAsync(mr.Iid, CancellationToken.None);

        Assert.Equal(mr.Iid, found.Iid);
        Assert.Equal([TimeSpan.FromSeconds(7)], clock.Delays);
        Assert.Equal([429, 200], gitlab.Requests.Where(r => r.Route == FakeGitLab.GetMergeRequestRoute).Select(r => r.Status));
    }

    [Fact]
    public async Task OpenIssue_ServerError_IsNotRetriedButRateLimitIs()
    {
        gitlab.Inject(FakeGitLab.CreateIssueRoute, FakeFault.RateLimited(retryAfterSeconds: 1));
        await CreateForge().OpenIssueAsync("first", "body", CancellationToken.None);
        gitlab.Inject(FakeGitLab.CreateIssueRoute, FakeFault.ServerError());

        var error = await Assert.ThrowsAsync<GitLabException>(() => CreateForge().OpenIssueAsync("second", "body", CancellationToken.None));

        Assert.Equal(GitLabErrorKind.ServerError, error.Kind);
        Assert.Equal([429, 201, 500], gitlab.Requests.Where(r => r.Route == FakeGitLab.CreateIssueRoute).Select(r => r.Status));
        Assert.Single(gitlab.Issues);
    }

    [Fact]
    public async Task AnyCall_WrongToken_ThrowsUnauthorizedWithoutRetryAndWithoutSecrets()
    {
        const string wrong = "glpat-wrong-secret-value";
        var forge = CreateForge(token: wrong);

        var error = await Assert.ThrowsAsync<GitLabException>(() => forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None));

        Assert.Equal(GitLabErrorKind.Unauthorized, error.Kind);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("401 Unauthorized", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.Single(gitlab.Requests);
        Assert.DoesNotContain(logs.Messages, m => m.Contains(wrong, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Errors_MessageEchoesToken_TokenNeverInExceptionsOrLogs()
    {
        var mr = gitlab.OpenMergeRequest("main", "main", "x");
        gitlab.Inject(FakeGitLab.GetMergeRequestRoute, FakeFault.Error(400, "token " + gitlab.Token + " is not allowed here"));
        gitlab.Inject(FakeGitLab.UpdateMergeRequestRoute, FakeFault.ServerError(), times: 10);
        var client = CreateClient();

        var echoed = await Assert.ThrowsAsync<GitLabException>(() => client.GetMergeRequestAsync(mr.Iid, CancellationToken.None));
        var exhausted = await Assert.ThrowsAsync<GitLabException>(() =>
            client.UpdateMergeRequestAsync(mr.Iid, new GitLabUpdateMergeRequest(Labels: "x"), CancellationToken.None));

        Assert.Equal(GitLabErrorKind.BadRequest, echoed.Kind);
        Assert.Contains("[redacted]", echoed.Message, StringComparison.Ordinal);
        foreach (var text in new[] { echoed.ToString(), exhausted.ToString() }.Concat(logs.Messages))
        {
            Assert.DoesNotContain(gitlab.Token, text, StringComparison.Ordinal);
        }

        Assert.NotEmpty(logs.Messages);
    }

    [Fact]
    public async Task MergeAsync_AnotherCandidateMergedFirst_RebuildsOnTheNewTargetAndMerges()
    {
        var forge = CreateForge();
        var other = Candidate() with
        {
            SourceBranch = "candidates/web/other",
            Files = new Dictionary<string, string> { ["compose.yaml"] = "services:\n  web: {image: web:9}\n" },
        };
        var first = await forge.EnsureMergeRequestAsync(other, CancellationToken.None);
        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);
        await forge.MergeAsync(first, other, CancellationToken.None);

        var merged = await forge.MergeAsync(mr, Candidate(), CancellationToken.None);

        Assert.Equal(MergeRequestState.Merged, merged.State);
        Assert.Equal([200, 422, 200], gitlab.Requests.Where(r => r.Route == FakeGitLab.MergeRoute).Select(r => r.Status));
        Assert.Equal(Candidate().Files["compose.yaml"], gitlab.Files("main")["compose.yaml"]);
    }

    [Fact]
    public async Task MergeAsync_HeadMovedSinceGating_RefusesToMergeUntestedCode()
    {
        var forge = CreateForge();
        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);
        gitlab.Push(Source, new Dictionary<string, string> { ["env/web.env"] = "WEB_TAG=3\n" });

        var refused = await Assert.ThrowsAsync<GitLabException>(() => forge.MergeAsync(mr, Candidate(), CancellationToken.None));

        Assert.Equal(GitLabErrorKind.Conflict, refused.Kind);
        Assert.Equal([409], gitlab.Requests.Where(r => r.Route == FakeGitLab.MergeRoute).Select(r => r.Status));
    }

    [Theory]
    [InlineData(422, GitLabErrorKind.CannotMerge)]
    [InlineData(406, GitLabErrorKind.CannotMerge)]
    [InlineData(405, GitLabErrorKind.NotMergeable)]
    public async Task MergeAsync_GitLabRefuses_ThrowsTypedError(int status, GitLabErrorKind kind)
    {
        var forge = CreateForge();
        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);
        // Refused before and after the rebuild (a cannot-merge is first taken for a moved target): a typed error.
        gitlab.Inject(FakeGitLab.MergeRoute, FakeFault.Error(status, "Branch cannot be merged"), times: 2);

        var error = await Assert.ThrowsAsync<GitLabException>(() => forge.MergeAsync(mr, Candidate(), CancellationToken.None));

        Assert.Equal(kind, error.Kind);
        Assert.Contains("Branch cannot be merged", error.Message, StringComparison.Ordinal);
        Assert.Equal(kind == GitLabErrorKind.CannotMerge ? 2 : 1, gitlab.Count(FakeGitLab.MergeRoute));
        Assert.Equal("opened", gitlab.MergeRequests.Single().State);
    }

    [Fact]
    public async Task MergeAsync_ResponseLost_RetryGets405AndReturnsMerged()
    {
        var forge = CreateForge();
        var mr = await forge.EnsureMergeRequestAsync(Candidate(), CancellationToken.None);
        gitlab.Inject(FakeGitLab.MergeRoute, FakeFault.LostResponse());

        var merged = await forge.MergeAsync(mr, Candidate(), CancellationToken.None);

        Assert.Equal(MergeRequestState.Merged, merged.State);
        Assert.Equal(gitlab.BranchHead("main"), merged.MergeSha);
        Assert.Equal([502, 405], gitlab.Requests.Where(r => r.Route == FakeGitLab.MergeRoute).Select(r => r.Status));
    }

    // ---------------------------------------------------------------- helpers

    private static CandidateBranch Candidate() => new(
        "web",
        "c-001",
        Source,
        "main",
        new Dictionary<string, string>
        {
            ["compose.yaml"] = "services:\n  web: {image: web:2}\n",
            ["env/web.env"] = "WEB_TAG=2\n",
        },
        "Promote web 2",
        "Promote web 2",
        "Candidate c-001 of stream web");

    private GitLabForge CreateForge(string? token = null)
    {
        var client = CreateClient(token: token);
        var options = new GitLabOptions { BaseUrl = gitlab.BaseUrl, Project = gitlab.ProjectPath, Token = token ?? gitlab.Token };
        return new GitLabForge(client, options, logs.CreateLogger<GitLabForge>());
    }

    private GitLabClient CreateClient(string? token = null, TimeSpan? attemptTimeout = null, int retries = 4)
    {
        var options = new GitLabOptions
        {
            BaseUrl = gitlab.BaseUrl,
            Project = gitlab.ProjectPath,
            Token = token ?? gitlab.Token,
            Resilience = new GitLabResilienceOptions
            {
                MaxRetryAttempts = retries,
                BaseDelay = TimeSpan.FromSeconds(1),
                AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(10),
            },
        };
        var http = new HttpClient();
        httpClients.Add(http);
        return new GitLabClient(http, options, logs.CreateLogger<GitLabClient>(), clock);
    }
}

/// <summary>A clock whose timers fire at once and which records the waits asked for (retry backoff, Retry-After).</summary>
public sealed class RecordingTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> delays = new();

    public IReadOnlyList<TimeSpan> Delays => [.. delays];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            delays.Enqueue(dueTime);
            dueTime = TimeSpan.Zero;
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }
}

/// <summary>Keeps every formatted log line (and its structured values) so tests can look for leaked secrets.</summary>
public sealed class CapturingLoggerProvider
{
    private readonly ConcurrentQueue<string> messages = new();

    public IReadOnlyList<string> Messages => [.. messages];

    public ILogger<T> CreateLogger<T>() => new Logger<T>(messages);

    private sealed class Logger<T>(ConcurrentQueue<string> messages) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            messages.Enqueue($"{logLevel} {formatter(state, exception)} {values} {exception}");
        }
    }
}
