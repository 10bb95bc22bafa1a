using System.Text.Json;
using System.Text.RegularExpressions;

namespace ComposeGate.Tests.Data;

/// <summary>
/// The database written by the release of 2026-12-01 (commit a1ab09f, EF Core 6) through its own API, pages, bus and
/// forge; the facts about it; and what the release's API answered just before it stopped (Data/Fixtures/README.md).
/// </summary>
public static partial class ReleaseFixture
{
    public const string Name = "composegate-release-2026-12-01";

    /// <summary>
    /// Just after the release's last answer (01:03:34 UTC) and before the first pending webhook delivery falls due
    /// (01:03:39): the upgraded app runs at this moment, so nothing in the file has moved on but the software.
    /// </summary>
    public static readonly DateTimeOffset Stopped = new(2026, 12, 2, 1, 3, 36, TimeSpan.Zero);

    /// <summary>The migrations the release applied, in order, as its <c>__EFMigrationsHistory</c> lists them.</summary>
    public static readonly string[] ReleaseMigrations =
    [
        "20261121055520_Initial", "20261121061453_CandidatesAndSources", "20261121063737_Gating", "20261121071243_LocalForge",
        "20261121071521_WebhookDeliveries", "20261121071815_HookReceipts", "20261121072531_StatusDigest",
        "20261121075208_PromotionSteps", "20261121082636_MessageBus",
    ];

    /// <summary>The database's name in an installation's data folder: an installation's file, so it never changes.</summary>
    public const string DatabaseFileName = "composegate.db";

    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures");

    /// <summary>What make-release-db.sh recorded while it wrote the database (passwords and token secrets included).</summary>
    public static Facts Known { get; } =
        JsonSerializer.Deserialize<Facts>(File.ReadAllText(Path.Combine(Folder, Name + ".json")), JsonSerializerOptions.Web)!;

    private static string SnapshotFolder => Path.Combine(Folder, Name + ".snapshot");

    /// <summary>Puts a copy of the release's database into <paramref name="dataDir"/>, where the app looks for its own.</summary>
    public static void CopyDatabaseTo(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        File.Copy(Path.Combine(Folder, Name + ".db"), Path.Combine(dataDir, DatabaseFileName));
    }

    /// <summary>
    /// The release's settings (its .app.env) where an answer depends on them: the bootstrap secrets, which keep the
    /// bootstrap token alive, the promotion sweep's interval, and the streams' descriptions and rawhide's directory poll. Left out on purpose: the broker,
    /// the subscribers and the promotion actions, which point at the release's loopback ports, long gone; the rows they
    /// left behind (pending deliveries, unpublished events, promotion steps) are read back as they were stored.
    /// </summary>
    public static void Configure(IDictionary<string, string?> settings)
    {
        settings["ComposeGate:Bootstrap:AdminToken"] = Known.Admin.Token;
        settings["ComposeGate:Bootstrap:AdminPassword"] = Known.Admin.Password;
        settings["ComposeGate:Promotion:SweepSeconds"] = "5";
        settings["ComposeGate:Streams:centos-stream-10:Description"] = "CentOS Stream 10 production composes";
        settings["ComposeGate:Streams:fedora-rawhide:Description"] = "Fedora Rawhide nightly composes, announced on the bus";
        settings["ComposeGate:Streams:fedora-rawhide:Source:ComposeUrl"] = "/tmp/cg-release-db.9Kt3tL/composes/rawhide";
        settings["ComposeGate:Streams:fedora-rawhide:Source:Schedule"] = "0 0 3 29 2 ?";
    }

    /// <summary>Every answer in the snapshot, with the request that asks the API for it again.</summary>
    public static IReadOnlyList<Answer> Answers() =>
        Directory.EnumerateFiles(SnapshotFolder, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SnapshotFolder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .Select(file => new Answer(file, RequestOf(file)))
            .ToList();

    /// <summary>The request make-release-db.sh sent for each file of the snapshot.</summary>
    private static string RequestOf(string file)
    {
        if (CandidatePart().Match(file) is { Success: true } candidate)
        {
            var (id, part) = (candidate.Groups["id"].Value, candidate.Groups["part"].Value);
            return part switch
            {
                "candidate" => $"/api/v1/candidates/{id}",
                "diff-binary" => $"/api/v1/candidates/{id}/diff?level=binary",
                _ => $"/api/v1/candidates/{id}/{part}",
            };
        }
        if (PerStream().Match(file) is { Success: true } perStream)
        {
            var stream = perStream.Groups["stream"].Value;
            return perStream.Groups["what"].Value == "policy-versions"
                ? $"/api/v1/streams/{stream}/policy/versions"
                : $"/api/v1/streams/{stream}/webhook-deliveries";
        }
        if (ChecklistRun().Match(file) is { Success: true } run)
        {
            return $"/api/v1/checklist-runs/{run.Groups["run"].Value}";
        }
        return file switch
        {
            "streams.json" => "/api/v1/streams",
            "candidates.json" => "/api/v1/candidates?limit=100",
            "tokens.json" => "/api/v1/tokens?includeRevoked=true",
            "checklists.json" => "/api/v1/checklists",
            "bus.json" => "/api/v1/bus",
            "announcements.json" => "/api/v1/streams/fedora-rawhide/announcements?limit=50",
            "jobs.json" => "/api/v1/jobs",
            _ => throw new InvalidOperationException($"The snapshot has {file}, which no request here gets: say which one."),
        };
    }

    [GeneratedRegex(@"^candidates/(?<id>[^/]+)/(?<part>[a-z-]+)\.json$")]
    private static partial Regex CandidatePart();

    [GeneratedRegex(@"^(?<what>policy-versions|webhook-deliveries)-(?<stream>[a-z0-9._-]+)\.json$")]
    private static partial Regex PerStream();

    [GeneratedRegex(@"^checklist-run-(?<run>\d+)\.json$")]
    private static partial Regex ChecklistRun();

    /// <summary>One answer of the release: the snapshot file and the request that got it.</summary>
    public sealed record Answer(string File, string Request)
    {
        public JsonElement Read()
        {
            using var json = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(SnapshotFolder, File)));
            return json.RootElement.Clone();
        }
    }

    public sealed record Facts(AdminFacts Admin, IReadOnlyList<PersonFacts> Users, IReadOnlyList<TokenFacts> Tokens,
        IReadOnlyDictionary<string, long> TableCounts);

    public sealed record AdminFacts(string User, string Password, string Token);

    public sealed record PersonFacts(string UserName, string Password, IReadOnlyList<string> Roles, string DisplayName, string? Email,
        string? ForgeUsername, bool Disabled);

    public sealed record TokenFacts(string Name, string Role, string? User, IReadOnlyList<string> Testcases, bool Ingest, string Secret,
        string State);
}
