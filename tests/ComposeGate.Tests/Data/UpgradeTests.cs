using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using ComposeGate.Access;
using ComposeGate.Tests.Access;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Components.Account.Pages;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ComposeGate.Tests.Data;

/// <summary>
/// Existing installations upgrade in place: the database the release of 2026-12-01 wrote (EF Core 6 migrations) opens
/// with this code, is migrated at start-up, and reads back through the API as the release answered, field by field,
/// sign-in and tokens included. Afterwards it keeps working, and a restart changes nothing.
/// </summary>
public sealed class UpgradeTests : IClassFixture<UpgradeTests.UpgradedApp>
{
    private const string C1 = "CentOS-Stream-10-20261125.0";
    private const string C3 = "CentOS-Stream-10-20261127.0";

    private readonly UpgradedApp app;

    public UpgradeTests(UpgradedApp app) => this.app = app;

    /// <summary>The current app on the release's database, configured as the release was where an answer depends on it.</summary>
    public sealed class UpgradedApp : ComposeGateFactory
    {
        private readonly string folder;

        public UpgradedApp() : this(folder: null)
        {
        }

        private UpgradedApp(string? folder)
        {
            if (folder is null)
            {
                this.folder = DataDir;
                ReleaseFixture.CopyDatabaseTo(DataDir);
            }
            else
            {
                this.folder = folder;
                Settings["ComposeGate:DataDir"] = folder;
            }
            ReleaseFixture.Configure(Settings);
            Clock.Advance(ReleaseFixture.Stopped - Clock.GetUtcNow());
        }

        /// <summary>The app on a data folder that already holds the database: a copy not opened yet, or a restart.</summary>
        public static UpgradedApp On(string folder) => new(folder);

        public string DatabaseFile => Path.Combine(folder, ReleaseFixture.DatabaseFileName);

        /// <summary>A client with the release's bootstrap token (the factory's own is not configured here).</summary>
        public HttpClient CreateReleaseAdminClient() => CreateClient(ReleaseFixture.Known.Admin.Token);
    }

    [Fact]
    public async Task Start_ReleaseDatabase_AppliesEveryMigrationKeepsEveryRowAndStaysWal()
    {
        var applied = await app.WithDbAsync(async db =>
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.False(db.Database.HasPendingModelChanges(), "The model has changes without a migration: run dotnet ef migrations add.");
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            return db.Database.GetMigrations().ToList();
        });

        // The release's own history rows stay as it wrote them, so its migrations were recognised, not run again.
        var history = await QueryAsync(app.DatabaseFile, """SELECT "MigrationId", "ProductVersion" FROM "__EFMigrationsHistory" ORDER BY "MigrationId";""");
        Assert.Equal(ReleaseFixture.ReleaseMigrations, history.Take(ReleaseFixture.ReleaseMigrations.Length).Select(r => r[0]));
        Assert.All(history.Take(ReleaseFixture.ReleaseMigrations.Length), r => Assert.Equal("6.0.7", r[1]));
        var efMajor = typeof(DbContext).Assembly.GetName().Version!.Major;
        Assert.All(history.Skip(ReleaseFixture.ReleaseMigrations.Length), r => Assert.StartsWith($"{efMajor}.", (string)r[1]!));
        Assert.Contains("20261201231543_UniqueForgeUsername", applied);

        var counts = new List<string>();
        foreach (var (table, before) in ReleaseFixture.Known.TableCounts.Where(t => t.Key != "sqlite_sequence"))
        {
            var expected = table switch
            {
                // UniqueForgeUsername records the GitLab user name it cleared (see the sign-in test).
                "AuditEvents" => before + 1,
                "__EFMigrationsHistory" => applied.Count,
                _ => before,
            };
            var now = (long)(await QueryAsync(app.DatabaseFile, $"""SELECT count(*) FROM "{table}";"""))[0][0]!;
            if (now != expected)
            {
                counts.Add($"{table}: {before} rows in the release's file, {expected} expected now, {now} found");
            }
        }
        Assert.True(counts.Count == 0, string.Join(Environment.NewLine, counts));
        Assert.Equal("wal", (await QueryAsync(app.DatabaseFile, "PRAGMA journal_mode;"))[0][0]);
    }

    /// <summary>The migrations bring the release's file to exactly the schema a new installation gets.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Start_ReleaseDatabase_SchemaIsTheNewInstallationsOne()
    {
        _ = app.Services; // starts the upgraded app, which migrates the file
        using var fresh = new ComposeGateFactory();
        fresh.CreateClient().Dispose();

        var upgraded = await SchemaAsync(app.DatabaseFile);
        var created = await SchemaAsync(Path.Combine(fresh.DataDir, ReleaseFixture.DatabaseFileName));

        var differences = created.Except(upgraded).Select(s => "only in a new installation: " + s)
            .Concat(upgraded.Except(created).Select(s => "only in the upgraded file: " + s)).ToList();
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
    }

    /// <summary>
    /// Every answer the release gave just before it stopped is given again, field by field. <see cref="Volatile"/> lists
    /// what may differ, and why; nothing else may.
    /// </summary>
    [Fact]
    public async Task Api_EveryAnswerOfTheRelease_IsAnsweredTheSame()
    {
        using var admin = app.CreateReleaseAdminClient();
        var answers = ReleaseFixture.Answers();
        var differences = new List<string>();
        foreach (var answer in answers)
        {
            var now = await GetJsonAsync(admin, answer.Request);
            differences.AddRange(JsonDifferences.Between(answer.Read(), now, Volatile(answer.File)).Select(d => $"{answer.Request} {d}"));
            if (answer.File.EndsWith("/decision.json", StringComparison.Ordinal))
            {
                Assert.Equal(ReleaseFixture.Stopped, now.GetProperty("at").GetDateTimeOffset());
            }
        }

        Assert.True(answers.Count > 100, $"Only {answers.Count} answers in the snapshot: is it copied to the test output?");
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
    }

    private static string[] Volatile(string file) => file switch
    {
        // A decision is computed when it is asked for: "at" is the moment of the answer (checked against the clock).
        _ when file.EndsWith("/decision.json", StringComparison.Ordinal) => ["$.at"],
        // The broker links are live connections, not rows, and publishing is configuration: this app has no broker.
        "bus.json" => ["$.links", "$.outbox.enabled"],
        // The recurring jobs are declared by the running version (Quartz then, Hangfire now: another cron dialect, the
        // webhook, bus and forge work now jobs of their own), not rows; promotions the release ran had no Hangfire job.
        "jobs.json" => ["$.scheduled", "$.recent[*].job", "$.running[*].job", "$.sources[*].job", "$.bus.links", "$.bus.outbox.enabled"],
        _ => [],
    };

    /// <summary>The candidates as the release left them: status, manifest counts, local merge request, issues.</summary>
    public static TheoryData<string, string, string, int, int, int, string, int> Candidates => new()
    {
        { "CentOS-Stream-10-20261124.0", "centos-stream-10", "superseded", 20, 122, 1, "closed", 0 },
        { C1, "centos-stream-10", "promoted", 21, 126, 2, "merged", 0 },
        { "CentOS-Stream-10-20261126.0", "centos-stream-10", "failed", 21, 124, 3, "opened", 2 },
        { C3, "centos-stream-10", "gating", 22, 132, 4, "opened", 0 },
        { "Fedora-Rawhide-20261124.n.0", "fedora-rawhide", "gating", 21, 126, 8, "opened", 0 },
        { "Fedora-Rawhide-20261125.n.0", "fedora-rawhide", "gating", 22, 132, 9, "opened", 0 },
        { "workspace-full-e9fda05c10ae", "gitpod-workspace", "promoted", 0, 0, 5, "merged", 0 },
        { "workspace-full-fec9c1282a96", "gitpod-workspace", "rejected", 0, 0, 6, "closed", 0 },
        { "workspace-full-99af8dbd42a7", "gitpod-workspace", "approved", 0, 0, 7, "opened", 0 },
        { "workspace-full-1c78cb5a9d11", "gitpod-workspace", "gating", 0, 0, 10, "opened", 0 },
    };

    [Theory]
    [MemberData(nameof(Candidates))]
    public async Task Candidate_FromTheRelease_KeepsStatusManifestAndLinks(string id, string stream, string status, int sources, int rpms,
        int mergeRequest, string mergeRequestState, int issues)
    {
        using var admin = app.CreateReleaseAdminClient();

        var candidate = await GetJsonAsync(admin, $"/api/v1/candidates/{id}");

        Assert.Equal(stream, candidate.GetProperty("stream").GetString());
        Assert.Equal(status, candidate.GetProperty("status").GetString());
        Assert.Equal(sources, candidate.GetProperty("manifest").GetProperty("sourcePackages").GetInt32());
        Assert.Equal(rpms, candidate.GetProperty("manifest").GetProperty("binaryPackages").GetInt32());
        Assert.Equal(sources, (await GetJsonAsync(admin, $"/api/v1/candidates/{id}/packages")).GetArrayLength());
        Assert.Equal(rpms, (await GetJsonAsync(admin, $"/api/v1/candidates/{id}/packages?level=binary")).GetArrayLength());
        var link = candidate.GetProperty("mergeRequest");
        Assert.Equal($"/merge-requests/{mergeRequest}", link.GetProperty("url").GetString());
        Assert.Equal(mergeRequestState, link.GetProperty("state").GetString());
        Assert.Equal(issues, candidate.GetProperty("issues").GetArrayLength());
    }

    [Fact]
    public async Task Gating_FromTheRelease_KeepsVotesWaiversChecklistRunsAndPromotions()
    {
        using var admin = app.CreateReleaseAdminClient();

        // A person's latest vote counts: bob's -1 on 20261126.0 was followed by a +1.
        var votes = new List<string>();
        foreach (var id in Candidates.Select(row => (string)row[0]))
        {
            votes.AddRange((await GetJsonAsync(admin, $"/api/v1/candidates/{id}/votes")).EnumerateArray()
                .Select(v => $"{v.GetProperty("id").GetInt64()} {v.GetProperty("voter").GetString()} {v.GetProperty("value").GetInt32():+0;-0} {v.GetProperty("counts").GetBoolean()}"));
        }
        Assert.Equal(["1 bob +1 True", "2 alice +1 True", "3 bob -1 False", "4 bob +1 True", "5 alice +1 True", "6 bob -1 True",
            "7 alice +1 True", "8 alice +1 True", "9 bob -1 True"], votes.Order(StringComparer.Ordinal));

        var waivers = new List<string>();
        foreach (var id in new[] { "CentOS-Stream-10-20261126.0", C3 })
        {
            waivers.AddRange((await GetJsonAsync(admin, $"/api/v1/candidates/{id}/waivers")).EnumerateArray()
                .Select(w => $"{w.GetProperty("id").GetInt64()} {w.GetProperty("testcase").GetString()} {w.GetProperty("state").GetString()}"));
        }
        Assert.Equal(["1 rdo.tempest.smoke active", "2 t_functional revoked", "3 t_functional expired", "4 rdo.tempest.smoke active"],
            waivers.Order(StringComparer.Ordinal));

        var runs = new List<string>();
        for (var run = 1; run <= 6; run++)
        {
            var answer = await GetJsonAsync(admin, $"/api/v1/checklist-runs/{run}");
            runs.Add($"{answer.GetProperty("template").GetString()} v{answer.GetProperty("version").GetInt32()} {answer.GetProperty("outcome").GetString()} " +
                $"{answer.GetProperty("done").GetInt32()}/{answer.GetProperty("total").GetInt32()}");
        }
        Assert.Equal(["compose-smoke v2 failed 3/4", "compose-smoke v2 passed 4/4", "compose-smoke v2 passed 3/4", "compose-smoke v2 in progress 2/4",
            "gitpod-workspace v1 passed 8/8", "gitpod-workspace v1 passed 8/8"], runs);

        Assert.Equal(["1 auto succeeded: Webhook succeeded, Publish succeeded"], await PromotionsAsync(admin, C1));
        Assert.Equal(["1 auto failed /issues/1: Webhook failed, Publish pending", "2 retry failed /issues/2: Webhook failed, Publish pending"],
            await PromotionsAsync(admin, "CentOS-Stream-10-20261126.0"));
        Assert.Equal(["1 manual succeeded: "], await PromotionsAsync(admin, "workspace-full-e9fda05c10ae"));
    }

    /// <summary>ResultsDB's v2.0 search finds the release's results, v1 and v2.0 alike, each as its v1 answer says.</summary>
    [Fact]
    public async Task ResultsDb_ResultsOfTheRelease_AreFoundWithTheirData()
    {
        using var admin = app.CreateReleaseAdminClient();
        var v1 = ReleaseFixture.Answers().Where(a => a.File.EndsWith("/results.json", StringComparison.Ordinal))
            .SelectMany(a => a.Read().EnumerateArray()).ToDictionary(r => r.GetProperty("id").GetInt64());

        var found = (await GetJsonAsync(admin, "/api/v2.0/results?limit=100")).GetProperty("data").EnumerateArray().ToList();

        Assert.Equal(15, v1.Count);
        Assert.Equal(v1.Keys.Order(), found.Select(r => r.GetProperty("id").GetInt64()).Order());
        foreach (var result in found)
        {
            var release = v1[result.GetProperty("id").GetInt64()];
            var candidate = release.GetProperty("candidate").GetString()!;
            Assert.Equal(release.GetProperty("testcase").GetString(), result.GetProperty("testcase").GetProperty("name").GetString());
            Assert.Equal(release.GetProperty("outcome").GetString(), result.GetProperty("outcome").GetString());
            Assert.Equal(release.GetProperty("note").GetString() ?? "", result.GetProperty("note").GetString());
            Assert.Equal(release.GetProperty("ref_url").GetString(), result.GetProperty("ref_url").GetString());
            Assert.Equal(release.GetProperty("created").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture),
                result.GetProperty("submit_time").GetString());
            // v2.0 answers carry the item and scenario inside data, as ResultsDB does.
            var data = release.GetProperty("data") is { ValueKind: JsonValueKind.Object } d
                ? d.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray())
                : new Dictionary<string, string[]>();
            data["item"] = [candidate];
            if (release.GetProperty("scenario").GetString() is { } scenario)
            {
                data["scenario"] = [scenario];
            }
            Assert.Equal(data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={string.Join(',', p.Value)}"),
                result.GetProperty("data").EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
                    .Select(p => $"{p.Name}={string.Join(',', p.Value.EnumerateArray().Select(v => v.GetString()))}"));
        }
        var ofC3 = await GetJsonAsync(admin, $"/api/v2.0/results?item={C3}&testcases=t_functional");
        Assert.Equal([14L, 9L], ofC3.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
    }

    /// <summary>What the release had not sent yet is still waiting: webhook deliveries and bus events, and the announcements it heard.</summary>
    [Fact]
    public async Task Outboxes_FromTheRelease_StillHoldWhatWasNotSent()
    {
        using var admin = app.CreateReleaseAdminClient();

        var outbox = (await GetJsonAsync(admin, "/api/v1/bus")).GetProperty("outbox");
        Assert.Equal(4, outbox.GetProperty("pending").GetInt32());
        Assert.Equal(55, outbox.GetProperty("published").GetInt32());

        var deliveries = (await GetJsonAsync(admin, "/api/v1/streams/centos-stream-10/webhook-deliveries")).EnumerateArray().ToList();
        var pending = deliveries.Where(d => d.GetProperty("deliveredAt").ValueKind == JsonValueKind.Null && d.GetProperty("gaveUpAt").ValueKind == JsonValueKind.Null)
            .GroupBy(d => $"{d.GetProperty("url").GetString()} {d.GetProperty("event").GetString()}")
            .Select(g => $"{g.Key} {g.Count()}").Order(StringComparer.Ordinal);
        Assert.Equal(42, deliveries.Count);
        Assert.Equal(["http://127.0.0.1:48311/hooks/composegate candidate.created 4", "http://127.0.0.1:48311/hooks/composegate candidate.failed 2",
            "http://127.0.0.1:48311/hooks/composegate candidate.promoted 1", "http://127.0.0.1:48311/hooks/composegate decision.changed 32"], pending);
        Assert.All(deliveries.Where(d => d.GetProperty("url").GetString()!.EndsWith("/events", StringComparison.Ordinal)),
            d => Assert.Equal(JsonValueKind.String, d.GetProperty("deliveredAt").ValueKind));

        var announcements = (await GetJsonAsync(admin, "/api/v1/streams/fedora-rawhide/announcements?limit=50")).EnumerateArray()
            .Select(a => $"{a.GetProperty("id").GetInt64()} {a.GetProperty("outcome").GetString()}");
        Assert.Equal(["7 failed", "6 malformed", "5 malformed", "4 duplicate", "3 ignored", "2 ignored", "1 ingested"], announcements);
    }

    /// <summary>Anonymous <c>/healthz</c> is quieter than the release's: the status of each check, no descriptions.</summary>
    [Fact]
    public async Task Healthz_UpgradedDatabase_HealthyAndQuietToAnyone()
    {
        using var anyone = app.CreateClient(bearer: null);
        using var admin = app.CreateReleaseAdminClient();

        var quiet = await GetJsonAsync(anyone, "/healthz");
        var full = await GetJsonAsync(admin, "/healthz");

        Assert.Equal("healthy", quiet.GetProperty("status").GetString());
        Assert.All(quiet.GetProperty("checks").EnumerateObject(), c => Assert.Equal(["status"], c.Value.EnumerateObject().Select(p => p.Name)));
        Assert.Contains("(3 streams)", full.GetProperty("checks").GetProperty("database").GetProperty("description").GetString());
    }

    /// <summary>
    /// Every person signs in with the password they had, through the form, and finds their profile; the disabled one is
    /// refused. GitLab user names that differed only in case were de-duplicated by UniqueForgeUsername: the older account
    /// keeps the name, and an audit event records the one cleared.
    /// </summary>
    [Fact]
    public async Task SignIn_EveryPersonOfTheRelease_WithTheirPasswordAndProfile_DisabledOneRefused()
    {
        var people = ReleaseFixture.Known.Users;
        var cleared = new List<string>();
        for (var i = 0; i < people.Count; i++)
        {
            var person = people[i];
            using var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

            var response = await CookieSignInTests.SignInAsync(browser, person.UserName, person.Password);

            if (person.Disabled)
            {
                Assert.Contains(Login.FailureMessage, await response.Content.ReadAsStringAsync());
                Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/me")).StatusCode);
                continue;
            }
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{person.UserName} could not sign in.");
            var me = await GetJsonAsync(browser, "/api/v1/me");
            Assert.Equal(person.UserName, me.GetProperty("name").GetString());
            Assert.Equal(person.Roles, me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            var profile = await ProfileAsync(browser);
            Assert.Equal(person.DisplayName, profile["Input.DisplayName"]);
            Assert.Equal(person.Email ?? "", profile["Input.Email"]);
            // People are listed in the order they were created: the older of two namesakes keeps the name.
            var namesake = person.ForgeUsername is { } name && people.Take(i).Any(p => string.Equals(p.ForgeUsername, name, StringComparison.OrdinalIgnoreCase));
            Assert.Equal(namesake ? "" : person.ForgeUsername ?? "", profile["Input.ForgeUsername"]);
            if (namesake)
            {
                cleared.Add(person.UserName);
            }
        }

        Assert.Equal(["carol"], cleared);
        // The clearing is in no API answer; the audit trail holds it.
        var recorded = await app.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Kind == "user.forge-username-cleared")
            .Select(e => e.Actor + ": " + e.Summary).ToListAsync());
        Assert.Equal(["system: Cleared the GitLab user name 'ARivera' of 'carol': an older account has it"], recorded);
    }

    /// <summary>
    /// Only the SHA-256 hashes of the tokens are stored: each secret still answers as its state says (revoked, expired
    /// or a disabled owner: 401), with its role's access, at most the person's current role for a token acting for one.
    /// On an app of its own, because using the tokens moves their last use, which the release's answers compare.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Tokens_FromTheRelease_AnswerAsTheirStateSays()
    {
        using var upgraded = new UpgradedApp();
        using var admin = upgraded.CreateReleaseAdminClient();
        var ids = (await GetJsonAsync(admin, "/api/v1/tokens?includeRevoked=true")).EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("id").GetInt32());
        var answered = new List<string>();

        foreach (var token in ReleaseFixture.Known.Tokens)
        {
            using var client = upgraded.CreateClient(token.Secret);
            var owner = ReleaseFixture.Known.Users.SingleOrDefault(u => u.UserName == token.User);
            var me = await client.GetAsync("/api/v1/me");
            if (!token.State.StartsWith("active", StringComparison.Ordinal) || owner is { Disabled: true })
            {
                await Problem.ReadAsync(me, HttpStatusCode.Unauthorized);
                answered.Add($"{token.Name} 401");
                continue;
            }
            Assert.True(me.StatusCode == HttpStatusCode.OK, $"{token.Name}: {(int)me.StatusCode}");
            var caller = await me.Content.ReadFromJsonAsync<JsonElement>();
            var role = owner is null ? token.Role : Roles.Lesser(token.Role, Roles.Highest(owner.Roles)!);
            Assert.Equal(token.User ?? token.Name, caller.GetProperty("name").GetString());
            Assert.Equal([role], caller.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal(ids[token.Name], caller.GetProperty("token").GetInt32());
            Assert.Equal(token.Testcases, caller.GetProperty("testcases").EnumerateArray().Select(t => t.GetString()));
            // Listing tokens is the admins' alone.
            Assert.Equal(role == Roles.Admin ? HttpStatusCode.OK : HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/tokens")).StatusCode);
            answered.Add($"{token.Name} 200 {role}");
        }

        Assert.Equal(["bootstrap-admin 200 Admin", "rdo-bot 200 Reporter", "ci-ingest 200 Reporter", "alice-cli 200 ReleaseEngineer",
            "bob-cli 200 Tester", "dave-cli 401", "legacy-bot 401", "short-lived 401"], answered);
        // rdo-bot's testcase globs still hold, and a refused result stores nothing.
        using var rdo = upgraded.CreateClient(ReleaseFixture.Known.Tokens.Single(t => t.Name == "rdo-bot").Secret);
        await Problem.ReadAsync(await rdo.PostAsJsonAsync($"/api/v1/candidates/{C1}/results", new { testcase = "t_functional", outcome = "PASSED" }),
            HttpStatusCode.Forbidden);
        Assert.Equal(3, (await GetJsonAsync(admin, $"/api/v1/candidates/{C1}/results")).GetArrayLength());
        using var bob = upgraded.CreateClient(ReleaseFixture.Known.Tokens.Single(t => t.Name == "bob-cli").Secret);
        await Problem.ReadAsync(await bob.PostAsJsonAsync($"/api/v1/candidates/{C3}/waivers", new { testcase = "t_functional", reason = "testers may not" }),
            HttpStatusCode.Forbidden);
    }

    /// <summary>
    /// The upgraded database keeps working: a new result on one of the release's candidates changes its decision, a vote
    /// is recorded beside the release's, a new compose ingests and is diffed against the release's last promoted one.
    /// Then a restart on the same file changes nothing: every answer is the same, no row is added, no migration runs.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Upgrade_NewResultVoteAndCandidate_AreRecordedAndARestartChangesNothing()
    {
        var folder = Path.Combine(Path.GetTempPath(), "composegate-upgrade", Guid.NewGuid().ToString("N"));
        ReleaseFixture.CopyDatabaseTo(folder);
        var next = new TestCompose("CentOS-Stream-10-20261128.0",
        [
            new("bash", "0:5.2.26-4.el10", "bash"),
            new("kernel", "0:6.12.0-36.el10", "kernel", "kernel-core"),
        ]);
        var requests = ReleaseFixture.Answers().Select(a => a.Request)
            .Concat(CandidateRequests(next.Id)).Append("/api/v2.0/results?limit=100").ToList();
        try
        {
            Dictionary<string, JsonElement> before;
            List<object?[]> rowsBefore;
            using (var upgraded = UpgradedApp.On(folder))
            {
                using var admin = upgraded.CreateReleaseAdminClient();
                var releaseDecision = await GetJsonAsync(admin, $"/api/v1/candidates/{C3}/decision");
                var releaseRecorded = LastDecisionChange(await GetJsonAsync(admin, $"/api/v1/candidates/{C3}/events"));
                using var ci = upgraded.CreateClient(ReleaseFixture.Known.Tokens.Single(t => t.Name == "ci-ingest").Secret);
                using var bob = upgraded.CreateClient(ReleaseFixture.Known.Tokens.Single(t => t.Name == "bob-cli").Secret);

                // The latest t_functional of 20261127.0 now fails where the release's passed.
                var reported = await ci.PostAsJsonAsync("/api/v2.0/results", new
                {
                    testcase = new { name = "t_functional", ref_url = "https://ci.example.test/job/t_functional/106/" },
                    outcome = "FAILED",
                    note = "after the upgrade",
                    data = new { item = C3, type = "compose" },
                });
                Assert.Equal(HttpStatusCode.Created, reported.StatusCode);
                var decided = await GetJsonAsync(admin, $"/api/v1/candidates/{C3}/decision");
                Assert.Equal("failed", Requirement(decided, "t_functional").GetProperty("state").GetString());
                Assert.NotEqual(releaseDecision.GetProperty("summary").GetString(), decided.GetProperty("summary").GetString());
                // The decision history goes on from the last decision the release recorded.
                var change = LastDecisionChange(await GetJsonAsync(admin, $"/api/v1/candidates/{C3}/events"));
                Assert.Equal(decided.GetProperty("summary").GetString(), change.GetProperty("summary").GetString());
                Assert.Equal(releaseRecorded.GetProperty("summary").GetString(), change.GetProperty("previous").GetProperty("summary").GetString());

                // bob changes his mind: his latest vote counts, so his -1 from the release no longer blocks.
                var cast = await bob.PostAsJsonAsync($"/api/v1/candidates/{C3}/votes", new { value = 1, comment = "6.12.0-35 is fine on newer firmware" });
                Assert.Equal(HttpStatusCode.Created, cast.StatusCode);
                var votes = (await GetJsonAsync(admin, $"/api/v1/candidates/{C3}/votes")).EnumerateArray()
                    .Select(v => $"{v.GetProperty("voter").GetString()} {v.GetProperty("value").GetInt32():+0;-0} {v.GetProperty("counts").GetBoolean()}");
                Assert.Equal(["bob +1 True", "bob -1 False"], votes);
                Assert.Equal("missing", Requirement(await GetJsonAsync(admin, $"/api/v1/candidates/{C3}/decision"), "votes").GetProperty("state").GetString());

                // A new compose, diffed by default against the release's last promoted one.
                var submitted = await ci.PostAsync("/api/v1/streams/centos-stream-10/candidates",
                    new StringContent(next.Body(), System.Text.Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
                var candidate = await GetJsonAsync(admin, $"/api/v1/candidates/{next.Id}");
                Assert.Equal("gating", candidate.GetProperty("status").GetString());
                Assert.Equal(next.RpmCount, candidate.GetProperty("manifest").GetProperty("binaryPackages").GetInt32());
                var diff = await GetJsonAsync(admin, $"/api/v1/candidates/{next.Id}/diff");
                Assert.Equal(C1, diff.GetProperty("base").GetString());
                Assert.Equal(["kernel 0:6.12.0-31.el10 → 0:6.12.0-36.el10"], diff.GetProperty("upgraded").EnumerateArray()
                    .Select(u => $"{u.GetProperty("name").GetString()} {u.GetProperty("from").GetString()} → {u.GetProperty("to").GetString()}"));
                Assert.Equal(1, diff.GetProperty("unchanged").GetInt32());
                Assert.Equal(21 - 2, diff.GetProperty("removed").GetArrayLength());

                before = await AnswersAsync(admin, requests);
                rowsBefore = await RowCountsAsync(upgraded.DatabaseFile);
            }
            SqliteConnection.ClearAllPools();

            using var restarted = UpgradedApp.On(folder);
            using var again = restarted.CreateReleaseAdminClient();
            var after = await AnswersAsync(again, requests);

            var differences = requests.SelectMany(r => JsonDifferences.Between(before[r], after[r], AfterRestartVolatile(r)).Select(d => $"{r} {d}")).ToList();
            Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
            Assert.Equal(rowsBefore.Select(r => $"{r[0]} {r[1]}"), (await RowCountsAsync(restarted.DatabaseFile)).Select(r => $"{r[0]} {r[1]}"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // A restart runs the catch-up jobs again (the promotion sweep, the forge reconciliation, webhook delivery).
    private static readonly string[] SchedulerMemory =
        ["$.scheduled[*].next", "$.scheduled[*].previous", "$.scheduled[*].runningSince", "$.scheduled[*].lastJob", "$.scheduled[*].lastState"];

    private static string[] AfterRestartVolatile(string request) => request == "/api/v1/jobs" ? SchedulerMemory : [];

    private static IEnumerable<string> CandidateRequests(string id) =>
        new[] { "", "/decision", "/results", "/votes", "/waivers", "/checklists", "/promotion", "/events", "/diff", "/diff?level=binary", "/packages", "/packages?level=binary" }
            .Select(part => $"/api/v1/candidates/{id}{part}");

    private static JsonElement LastDecisionChange(JsonElement timeline) =>
        timeline.EnumerateArray().Last(e => e.GetProperty("kind").GetString() == "decision.changed").GetProperty("data");

    private static JsonElement Requirement(JsonElement decision, string name) =>
        decision.GetProperty("requirements").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);

    private static async Task<List<string>> PromotionsAsync(HttpClient admin, string candidate) =>
        (await GetJsonAsync(admin, $"/api/v1/candidates/{candidate}/promotion")).EnumerateArray()
            .Select(a => $"{a.GetProperty("number").GetInt32()} {a.GetProperty("trigger").GetString()} {a.GetProperty("status").GetString()}" +
                (a.GetProperty("issue").GetString() is { } issue ? $" {issue}" : "") + ": " +
                string.Join(", ", a.GetProperty("steps").EnumerateArray().Select(s => $"{s.GetProperty("action").GetString()} {s.GetProperty("status").GetString()}")))
            .ToList();

    private static async Task<Dictionary<string, JsonElement>> AnswersAsync(HttpClient admin, IEnumerable<string> requests)
    {
        var answers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            answers[request] = await GetJsonAsync(admin, request);
        }
        return answers;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string request)
    {
        using var response = await client.GetAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {request}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.Clone();
    }

    /// <summary>The values of the profile page's inputs, as the person sees them.</summary>
    private static async Task<Dictionary<string, string>> ProfileAsync(HttpClient browser)
    {
        var page = new HtmlParser().ParseDocument(await browser.GetStringAsync("/Account/Manage"));
        return page.QuerySelectorAll("form input[name^='Input.']")
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
    }

    private static async Task<List<object?[]>> RowCountsAsync(string database)
    {
        var tables = await QueryAsync(database, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;");
        var counts = new List<object?[]>();
        foreach (var table in tables.Select(t => (string)t[0]!))
        {
            counts.Add([table, (await QueryAsync(database, $"""SELECT count(*) FROM "{table}";"""))[0][0]]);
        }
        return counts;
    }

    /// <summary>Tables, columns, indexes and foreign keys as SQLite describes them, one line each, whatever order they were made in.</summary>
    private static async Task<HashSet<string>> SchemaAsync(string database)
    {
        var schema = new HashSet<string>(StringComparer.Ordinal);
        var tables = await QueryAsync(database, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%';");
        foreach (var table in tables.Select(t => (string)t[0]!))
        {
            foreach (var column in await QueryAsync(database, $"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{table}');"))
            {
                schema.Add($"{table}.{column[0]} {column[1]} notnull={column[2]} default={column[3] ?? "none"} pk={column[4]}");
            }
            foreach (var index in await QueryAsync(database, $"SELECT name, \"unique\", origin, partial FROM pragma_index_list('{table}');"))
            {
                var columns = await QueryAsync(database, $"SELECT name FROM pragma_index_info('{index[0]}') ORDER BY seqno;");
                schema.Add($"{table} index {index[0]} unique={index[1]} origin={index[2]} partial={index[3]} ({string.Join(", ", columns.Select(c => c[0]))})");
            }
            foreach (var key in await QueryAsync(database, $"SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{table}');"))
            {
                schema.Add($"{table}.{key[1]} → {key[0]}.{key[2]} on delete {key[3]}");
            }
        }
        foreach (var filter in await QueryAsync(database, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %';"))
        {
            schema.Add($"index {filter[0]}: {filter[1]}");
        }
        return schema;
    }

    private static async Task<List<object?[]>> QueryAsync(string database, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }
}
