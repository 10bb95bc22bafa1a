using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComposeGate.Forge;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Forge;
using ComposeGate.Web.Forge.Local;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Forge;

/// <summary>The built-in forge against a real bare git repository, driven through the git CLI.</summary>
public sealed class LocalForgeTests : IDisposable
{
    private readonly ComposeGateFactory app = new();
    private readonly LocalForge forge;

    public LocalForgeTests()
    {
        app.CreateClient().Dispose();
        forge = app.Services.GetRequiredService<LocalForge>();
    }

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Ensure_CreatesTheBranchWithItsFilesAndOneMergeRequest_Idempotently()
    {
        await CandidateAsync("CentOS-Stream-10-20261120.0");
        var branch = Branch("CentOS-Stream-10-20261120.0", "bash-5.2.26-4.el10\nglibc-2.39-10.el10\n");

        var first = await forge.EnsureMergeRequestAsync(branch, default);
        var again = await forge.EnsureMergeRequestAsync(branch, default);

        Assert.Equal(first.Number, again.Number);
        Assert.Equal(MergeRequestState.Opened, first.State);
        Assert.Equal("gate::pending", first.GateLabel);
        Assert.Equal(1, await app.WithDbAsync(db => db.MergeRequests.CountAsync()));
        Assert.Equal("bash-5.2.26-4.el10\nglibc-2.39-10.el10\n", await Show("candidates/cs10/CentOS-Stream-10-20261120.0", "streams/cs10/packages.txt"));
        var diff = await forge.DiffAsync("main", branch.SourceBranch, default);
        Assert.Contains("+bash-5.2.26-4.el10", diff);
        Assert.Contains("+glibc-2.39-10.el10", diff);
    }

    [Fact]
    public async Task UpdateStatus_EditsTheOneStatusNoteInPlaceAndSwapsTheLabel()
    {
        await CandidateAsync("CentOS-Stream-10-20261120.0");
        var mr = await forge.EnsureMergeRequestAsync(Branch("CentOS-Stream-10-20261120.0", "bash-1-1\n"), default);

        mr = await forge.UpdateStatusAsync(mr, new GateStatus("gate::pending", "waiting for t_functional", []), default);
        mr = await forge.UpdateStatusAsync(mr, new GateStatus("gate::passed", "all requirements met", []), default);

        Assert.Equal("gate::passed", mr.GateLabel);
        var notes = await app.WithDbAsync(db => db.ForgeNotes.ToListAsync());
        var note = Assert.Single(notes);
        Assert.Equal("all requirements met", note.Body);
        Assert.Equal(note.Id, mr.StatusNoteId);
    }

    [Fact]
    public async Task Merge_OfTwoCandidatesBranchedFromTheSameTarget_RebuildsTheSecondAndKeepsBothInHistory()
    {
        await CandidateAsync("CentOS-Stream-10-20261120.0");
        await CandidateAsync("CentOS-Stream-10-20261121.0");
        var firstBranch = Branch("CentOS-Stream-10-20261120.0", "bash-1-1\n");
        var secondBranch = Branch("CentOS-Stream-10-20261121.0", "bash-1-2\n");
        var first = await forge.EnsureMergeRequestAsync(firstBranch, default);
        var second = await forge.EnsureMergeRequestAsync(secondBranch, default);

        var mergedFirst = await forge.MergeAsync(first, firstBranch, default);
        var mergedSecond = await forge.MergeAsync(second, secondBranch, default);
        var mergedAgain = await forge.MergeAsync(second, secondBranch, default);

        Assert.Equal(MergeRequestState.Merged, mergedFirst.State);
        Assert.Equal(mergedSecond.MergeSha, mergedAgain.MergeSha);
        Assert.Equal("bash-1-2\n", await Show("main", "streams/cs10/packages.txt"));
        var parents = (await forge.Git.RunAsync("rev-list", "--parents", "-n", "1", "main")).Trim().Split(' ');
        Assert.Equal(3, parents.Length);
        var history = await forge.Git.RunAsync("log", "--format=%s", "main");
        Assert.Contains("Merge !1: candidates/cs10/CentOS-Stream-10-20261120.0", history);
        Assert.Contains("Merge !2: candidates/cs10/CentOS-Stream-10-20261121.0", history);
        // The rebuilt branch sits on the first merge: its own diff is only the new release.
        Assert.Contains("-bash-1-1", await forge.Git.RunAsync("diff", $"{mergedSecond.MergeSha}^1", mergedSecond.MergeSha!));
    }

    [Fact]
    public async Task Close_LeavesTheTargetUntouchedAndSaysWhy()
    {
        await CandidateAsync("CentOS-Stream-10-20261120.0");
        var mr = await forge.EnsureMergeRequestAsync(Branch("CentOS-Stream-10-20261120.0", "bash-1-1\n"), default);
        var before = (await forge.Git.RunAsync("rev-parse", "main")).Trim();

        var closed = await forge.CloseAsync(mr, "Closed: rejected — kernel panics", default);

        Assert.Equal(MergeRequestState.Closed, closed.State);
        Assert.Equal(before, (await forge.Git.RunAsync("rev-parse", "main")).Trim());
        Assert.Contains(await app.WithDbAsync(db => db.ForgeNotes.Select(n => n.Body).ToListAsync()), b => b.Contains("kernel panics"));
    }

    [Fact]
    public async Task OpenIssue_IsListedWithTheForge()
    {
        var issue = await forge.OpenIssueAsync("Promotion of X failed", "step Publish failed", default);

        Assert.Equal("/issues/1", issue.Url);
        Assert.Equal("step Publish failed", await app.WithDbAsync(db => db.Issues.Select(i => i.Body).SingleAsync()));
    }

    private async Task CandidateAsync(string id)
    {
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "cs10", kind = "compose" });
        (await admin.PostAsync("/api/v1/streams/cs10/candidates", new TestCompose(id, [new("bash", "0:1-1", "bash")]).Content())).EnsureSuccessStatusCode();
    }

    private static CandidateBranch Branch(string id, string packages) => new("cs10", id, $"candidates/cs10/{id}", "main",
        new Dictionary<string, string> { ["streams/cs10/packages.txt"] = packages, ["streams/cs10/candidate.json"] = $"{{\"id\":\"{id}\"}}\n" },
        $"Candidate {id}", $"Candidate {id}", "test");

    private Task<string> Show(string branch, string path) => forge.Git.RunAsync("show", $"refs/heads/{branch}:{path}");
}

/// <summary>The whole loop: a candidate arrives, its merge request opens by itself and follows the decision.</summary>
public sealed class ForgeSyncTests
{
    [Fact]
    public async Task NewCandidate_GetsAMergeRequest_WhoseLabelFollowsTheDecision()
    {
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Forge:Enabled"] = "true";
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "cs10", kind = "compose" });
        await admin.PutAsync("/api/v1/streams/cs10/policy", new StringContent("requires:\n  - testcase: t_functional\npromote: manual\n", Encoding.UTF8, "text/yaml"));
        var compose = new TestCompose("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-4.el10", "bash"), new("zlib", "0:1.3-1.el10", "zlib")]);
        (await admin.PostAsync("/api/v1/streams/cs10/candidates", compose.Content())).EnsureSuccessStatusCode();

        var opened = await WaitForAsync(app, "gate::pending");
        var candidate = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{compose.Id}");
        Assert.Equal("local", candidate.GetProperty("mergeRequest").GetProperty("provider").GetString());
        Assert.Equal("opened", candidate.GetProperty("mergeRequest").GetProperty("state").GetString());
        Assert.Equal($"candidates/cs10/{compose.Id}", opened.SourceBranch);
        var packages = await app.Services.GetRequiredService<LocalForge>().Git.RunAsync("show", $"refs/heads/{opened.SourceBranch}:streams/cs10/packages.txt");
        Assert.Equal("bash-5.2.26-4.el10\nzlib-1.3-1.el10\n", packages);

        await admin.PostAsJsonAsync($"/api/v1/candidates/{compose.Id}/results", new { testcase = "t_functional", outcome = "PASSED" });

        var passed = await WaitForAsync(app, "gate::passed");
        Assert.Equal(opened.Number, passed.Number);
        var note = await app.WithDbAsync(db => db.ForgeNotes.SingleAsync());
        Assert.Contains("satisfied", note.Body);
    }

    /// <summary>Waits for the background sync (a condition, not a time limit on the code).</summary>
    private static async Task<MergeRequestLink> WaitForAsync(ComposeGateFactory app, string label)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            var link = await app.WithDbAsync(db => db.MergeRequests.AsNoTracking().SingleOrDefaultAsync());
            if (link?.GateLabel == label)
            {
                return link;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The merge request never got {label}.");
    }
}

public sealed class ForgeLifecycleTests
{
    [Fact]
    public async Task PromotedCandidate_IsMerged_RejectedOne_IsClosed_AndTheTargetHoldsOnlyThePublishedOne()
    {
        using var app = new ComposeGateFactory();
        app.Settings["ComposeGate:Forge:Enabled"] = "true";
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "cs10", kind = "compose" });
        var published = new TestCompose("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-6.el10", "bash")]);
        var rejected = new TestCompose("CentOS-Stream-10-20261121.0", [new("bash", "0:5.2.26-7.el10", "bash")]);
        await admin.PostAsync("/api/v1/streams/cs10/candidates", published.Content());
        await admin.PostAsync("/api/v1/streams/cs10/candidates", rejected.Content());
        await WaitAsync(app, db => db.MergeRequests.CountAsync(m => m.StatusNoteId != null), 2);

        // A release engineer promotes the satisfied one and rejects the other, through the bot API.
        var policy = new StringContent("requires:\n  - testcase: t_functional\npromote: manual\n", Encoding.UTF8, "text/yaml");
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/api/v1/streams/cs10/policy", policy)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/v1/candidates/{published.Id}/results",
            new { testcase = "t_functional", outcome = "PASSED" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/candidates/{published.Id}/promote", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/candidates/{rejected.Id}/reject",
            new { reason = "bash regression in -7" })).StatusCode);

        await WaitAsync(app, db => db.MergeRequests.CountAsync(m => m.State == MergeRequestState.Merged), 1);
        await WaitAsync(app, db => db.MergeRequests.CountAsync(m => m.State == MergeRequestState.Closed), 1);
        var git = app.Services.GetRequiredService<LocalForge>().Git;
        Assert.Equal("bash-5.2.26-6.el10\n", await git.RunAsync("show", "refs/heads/main:streams/cs10/packages.txt"));
        var candidate = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{published.Id}");
        Assert.Equal("merged", candidate.GetProperty("mergeRequest").GetProperty("state").GetString());
        var closed = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/candidates/{rejected.Id}");
        Assert.Equal("closed", closed.GetProperty("mergeRequest").GetProperty("state").GetString());
    }

    [Fact]
    public async Task CrashBetweenBranchAndMergeRequest_ResumesWithoutDuplicates()
    {
        using var app = new ComposeGateFactory();
        using var admin = app.CreateAdminClient();
        await admin.PostAsJsonAsync("/api/v1/streams", new { name = "cs10", kind = "compose" });
        var compose = new TestCompose("CentOS-Stream-10-20261120.0", [new("bash", "0:5.2.26-6.el10", "bash")]);
        await admin.PostAsync("/api/v1/streams/cs10/candidates", compose.Content());
        var forge = app.Services.GetRequiredService<LocalForge>();
        var sync = app.Services.GetRequiredService<ForgeSync>();
        await sync.SyncAsync(compose.Id, default);
        var head = (await forge.Git.RunAsync("rev-parse", $"refs/heads/candidates/cs10/{compose.Id}")).Trim();
        // The crash: the branch was pushed, but the merge request record was never written.
        await app.WithDbAsync(async db =>
        {
            db.ForgeNotes.RemoveRange(db.ForgeNotes);
            db.MergeRequests.RemoveRange(db.MergeRequests);
            return await db.SaveChangesAsync();
        });

        await sync.SyncAsync(compose.Id, default);
        await sync.SyncAsync(compose.Id, default);

        var link = await app.WithDbAsync(db => db.MergeRequests.SingleAsync());
        Assert.Equal(head, link.HeadSha);
        Assert.Equal(1, await app.WithDbAsync(db => db.ForgeNotes.CountAsync()));
        Assert.Single((await forge.Git.RunAsync("for-each-ref", "--format=%(refname)", "refs/heads/candidates")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Waits for the background sync (a condition, not a time limit on the code).</summary>
    private static async Task WaitAsync(ComposeGateFactory app, Func<ComposeGate.Data.AppDbContext, Task<int>> count, int expected)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if (await app.WithDbAsync(count) == expected)
            {
                return;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"Expected {expected}, still {await app.WithDbAsync(count)}.");
    }
}
