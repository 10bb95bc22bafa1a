using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComposeGate.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Security;

/// <summary>
/// Every POST, PUT and PATCH endpoint the app maps (found in its EndpointDataSource, so endpoints added later are
/// swept too) gets hostile bodies as the bootstrap admin: invalid UTF-8, NUL characters, wrong JSON types and nulls
/// at the root and in place of each value of a valid body, numbers and dates far out of range, deep nesting. None
/// may answer 500, and a body with invalid UTF-8 or a NUL is always a 400.
/// </summary>
public sealed class HostileBodiesTests(BadInputApp app, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<BadInputApp>
{
    private const string Candidate = "CentOS-Stream-10-20261120.0";
    private const string Spare = "CentOS-Stream-10-20261122.0";
    private const string Placeholder = "hostile-value-goes-here";

    /// <summary>Values put in place of each value of a valid body, as raw JSON, and whether the body checks must refuse them.</summary>
    private static readonly (string Json, bool Refused)[] HostileValues =
    [
        ("null", false), ("[null]", false), ("{}", false), ("[]", false), ("\"\"", false), ("\"1\"", false), ("0", false), ("-1", false),
        ("1e400", false), ("-99999999999999999999999", false), ("true", false), ("\"9999-12-31T23:59:59-14:00\"", false),
        ("\"0001-01-01T00:00:00+14:00\"", false), ("\"" + new string('x', 5000) + "\"", false), ("{\"a\":{\"b\":[1,{\"c\":null}]}}", false),
        ("\"a\\u0000b\"", true), ("\"\\ud800\"", true), (Nested(70), true),
    ];

    /// <summary>Whole bodies, as raw bytes: what a broken or hostile client sends instead of an object.</summary>
    private static readonly (string Name, byte[] Body, bool Refused)[] HostileRoots =
    [
        ("empty", [], false),
        ("whitespace", " \n "u8.ToArray(), false),
        ("null", "null"u8.ToArray(), false),
        ("array", "[]"u8.ToArray(), false),
        ("array of null", "[null]"u8.ToArray(), false),
        ("string", "\"text\""u8.ToArray(), false),
        ("number", "12345678901234567890"u8.ToArray(), false),
        ("object", "{}"u8.ToArray(), false),
        ("truncated", "{\"a\":"u8.ToArray(), false),
        ("two values", "{}{}"u8.ToArray(), false),
        ("duplicate keys", "{\"a\":1,\"a\":\"x\"}"u8.ToArray(), false),
        ("arrays 5000 deep", Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)), true),
        ("objects 5000 deep", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 5000)) + "1" + new string('}', 5000)), true),
        ("invalid UTF-8 in a string", [.. "{\"a\":\""u8, 0xFF, 0xFE, .. "\"}"u8], true),
        ("invalid UTF-8 outside strings", [0xFF, .. "{}"u8], true),
        ("overlong UTF-8", [.. "{\"a\":\""u8, 0xC0, 0xAF, .. "\"}"u8], true),
        ("NUL escaped", "{\"a\":\"\\u0000\"}"u8.ToArray(), true),
        ("NUL in a key", "{\"\\u0000\":1}"u8.ToArray(), true),
        ("NUL behind a byte order mark", [0xEF, 0xBB, 0xBF, .. "{\"a\":\"\\u0000\"}"u8], true),
        ("raw NUL", [.. "{\"a\":\""u8, 0x00, .. "\"}"u8], true),
        ("unpaired surrogate", "{\"a\":\"\\udc00\"}"u8.ToArray(), true),
    ];

    /// <summary>YAML bodies (policies).</summary>
    private static readonly (string Name, byte[] Body, bool Refused)[] HostileTexts =
    [
        ("empty", [], false),
        ("NUL", "requires:\n  - testcase: a\u0000b\n"u8.ToArray(), true),
        ("invalid UTF-8", [.. "requires:\n  - testcase: "u8, 0xFF, .. "\n"u8], true),
        ("flow 10000 deep", Encoding.UTF8.GetBytes("requires: " + new string('[', 10000) + new string(']', 10000) + "\n"), false),
        ("aliases nine levels deep", Encoding.UTF8.GetBytes(Laughs()), false),
        ("a number as the document", "12345678901234567890\n"u8.ToArray(), false),
        ("tabs and stray colons", "requires:\n\t- : :\n"u8.ToArray(), false),
    ];

    [Fact]
    [Trait("Category", "Slow")]
    public async Task EveryWriteEndpoint_HostileBodies_NeverAnswer500()
    {
        using var admin = app.CreateAdminClient();
        (await admin.PostAsync($"/api/v1/streams/{BadInputApp.Stream}/candidates", new TestCompose(Spare, [new("bash", "0:5.2.26-5.el10", "bash")]).Content()))
            .EnsureSuccessStatusCode();
        var run = await (await admin.PostAsJsonAsync($"/api/v1/candidates/{Candidate}/checklists", new { template = "gitpod-workspace" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var values = new Dictionary<string, string>
        {
            ["stream"] = BadInputApp.Stream,
            ["runId"] = run.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["key"] = run.GetProperty("items")[0].GetProperty("key").GetString()!,
            ["name"] = "decision-refresh",
        };
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Any(m => m is "POST" or "PUT" or "PATCH") == true)
            .Where(e => Pattern(e.RoutePattern) is var route && (route.StartsWith("/api/", StringComparison.Ordinal) || route.StartsWith("/hooks/", StringComparison.Ordinal)))
            .ToList();
        Assert.True(endpoints.Count >= 15, $"only {endpoints.Count} write endpoints found");

        var failures = new List<string>();
        var sent = 0;
        foreach (var endpoint in endpoints)
        {
            var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.First(m => m is "POST" or "PUT" or "PATCH");
            var path = Fill(endpoint.RoutePattern, values);
            var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
            var isText = accepts?.ContentTypes.Any(t => t.Contains("yaml", StringComparison.OrdinalIgnoreCase)) == true;
            var bodies = new List<(string Name, byte[] Body, bool Refused)>(isText ? HostileTexts : HostileRoots);
            var samples = Samples(Pattern(endpoint.RoutePattern)).ToList();
            if (accepts is not null && !isText && samples.Count == 0)
            {
                failures.Add($"{method} {path} takes a body: add a valid sample of it to {nameof(HostileBodiesTests)}.{nameof(Samples)}");
            }
            foreach (var sample in samples)
            {
                bodies.AddRange(Mutations(sample).Select(m => (m.Name, Encoding.UTF8.GetBytes(m.Json), m.Refused)));
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            foreach (var (name, body, refused) in bodies)
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue(isText ? "text/yaml" : "application/json");
                var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
                request.Headers.Add("X-Gitlab-Token", BadInputApp.HookSecret);
                var response = await admin.SendAsync(request);
                sent++;
                var status = (int)response.StatusCode;
                if (status >= 500 || (refused && accepts is not null && status != 400))
                {
                    failures.Add($"{method} {path} with {name}: {status} {Shorten(await response.Content.ReadAsStringAsync())}");
                }
            }
            output.WriteLine($"{method} {path}: {bodies.Count} bodies in {clock.ElapsedMilliseconds} ms");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests failed:\n" + string.Join("\n", failures.Take(40)));
    }

    /// <summary>Valid bodies for the endpoints that take one, as a bot would send them; each value is then replaced in turn.</summary>
    private static IEnumerable<string> Samples(string pattern) => pattern switch
    {
        "/api/v1/streams" => ["{\"name\":\"hostile-new\",\"kind\":\"compose\",\"description\":\"d\"}"],
        "/api/v1/streams/{stream}/candidates" =>
        [
            "{\"url\":\"/nonexistent/compose\"}",
            "{\"image\":\"quay.io/gitpod/workspace-full\",\"tag\":\"main\",\"digest\":\"sha256:" + new string('a', 64) + "\",\"platforms\":[\"linux/amd64\"]}",
            SmallCompose,
        ],
        "/api/v1/candidates/{id}/results" => ["{\"testcase\":\"hostile.t\",\"outcome\":\"PASSED\",\"scenario\":\"x86_64\",\"ref_url\":\"https://ci.example.org/1\",\"note\":\"n\",\"data\":{\"arch\":\"x86_64\",\"tags\":[\"a\",\"b\"]}}"],
        "/api/v2.0/results" => ["{\"testcase\":{\"name\":\"hostile.t\",\"ref_url\":\"https://ci.example.org\"},\"outcome\":\"FAILED\",\"note\":\"n\",\"ref_url\":\"https://ci.example.org/2\",\"data\":{\"item\":\"" + Candidate + "\",\"scenario\":\"x86_64\",\"arch\":[\"x86_64\"]}}"],
        "/api/v1/candidates/{id}/votes" => ["{\"value\":-1,\"comment\":\"breaks boot\"}"],
        "/api/v1/candidates/{id}/waivers" => ["{\"testcase\":\"hostile.t\",\"scenario\":\"x86_64\",\"reason\":\"flaky\",\"expires\":\"2099-01-01T00:00:00Z\"}"],
        "/api/v1/candidates/{id}/checklists" => ["{\"template\":\"gitpod-workspace\"}"],
        "/api/v1/checklist-runs/{runId}/items/{key}" => ["{\"state\":\"passed\",\"comment\":\"ok\"}"],
        "/api/v1/checklists" => ["{\"name\":\"hostile\",\"title\":\"Hostile\",\"description\":\"d\",\"items\":[{\"key\":\"a\",\"title\":\"A\",\"instructions\":\"do **a**\",\"required\":true},{\"key\":\"b\",\"title\":\"B\",\"required\":false}]}"],
        "/api/v1/candidates/{id}/reject" => ["{\"reason\":\"superseded by hand\"}"],
        "/api/v1/tokens" => ["{\"name\":\"hostile-bot\",\"role\":\"Reporter\",\"testcases\":[\"hostile.*\"],\"expires\":\"2099-01-01T00:00:00Z\",\"user\":\"tom\",\"ingest\":false}"],
        "/hooks/gitlab" =>
        [
            "{\"object_kind\":\"note\",\"user\":{\"username\":\"tom.gl\"},\"merge_request\":{\"iid\":7},\"object_attributes\":{\"id\":1,\"note\":\"/block broken\",\"system\":false}}",
            "{\"object_kind\":\"emoji\",\"user\":{\"username\":\"tom.gl\"},\"merge_request\":{\"iid\":7},\"object_attributes\":{\"id\":2,\"name\":\"thumbsup\",\"action\":\"award\",\"awardable_type\":\"MergeRequest\"}}",
        ],
        _ => [],
    };

    /// <summary>A one-RPM inline compose.</summary>
    private const string SmallCompose = """
        {"composeinfo":{"header":{"type":"productmd.composeinfo","version":"1.2"},"payload":{"compose":{"id":"CentOS-Stream-10-20261123.0","date":"20261123","respin":0,"type":"production"},"release":{"name":"CentOS Stream","short":"CentOS-Stream","version":"10","type":"ga","internal":false},"variants":{"BaseOS":{"id":"BaseOS","uid":"BaseOS","name":"BaseOS","type":"variant","arches":["x86_64"]}}}},
         "rpms":{"header":{"type":"productmd.rpms","version":"1.2"},"payload":{"compose":{"id":"CentOS-Stream-10-20261123.0"},"rpms":{"BaseOS":{"x86_64":{"bash-0:5.2.26-4.el10.src":{"bash-0:5.2.26-4.el10.x86_64":{"category":"binary","path":"BaseOS/x86_64/os/Packages/b/bash.rpm","sigkey":"8483c65d"}}}}}}}}
        """;

    /// <summary>The sample with each of its values (at any depth) replaced by each hostile value in turn.</summary>
    private static IEnumerable<(string Name, string Json, bool Refused)> Mutations(string sample)
    {
        var paths = new List<object[]>();
        Collect(JsonNode.Parse(sample)!, [], paths);
        yield return ("the valid sample", sample, false);
        foreach (var path in paths)
        {
            foreach (var (value, refused) in HostileValues)
            {
                // Spliced in as text: a NUL or an unpaired surrogate would not survive a JsonNode.
                var root = JsonNode.Parse(sample)!;
                Replace(root, path, JsonValue.Create(Placeholder));
                yield return ($"$/{string.Join('/', path)} = {Shorten(value)}",
                    root.ToJsonString().Replace($"\"{Placeholder}\"", value, StringComparison.Ordinal), refused);
            }
        }
    }

    /// <summary>Every value's path: property names and array indexes from the root.</summary>
    private static void Collect(JsonNode node, object[] path, List<object[]> paths)
    {
        var children = node switch
        {
            JsonObject obj => obj.Select(p => ((object)p.Key, p.Value)).ToList(),
            JsonArray array => array.Select((child, i) => ((object)i, child)).ToList(),
            _ => [],
        };
        foreach (var (step, child) in children)
        {
            object[] childPath = [.. path, step];
            paths.Add(childPath);
            if (child is not null)
            {
                Collect(child, childPath, paths);
            }
        }
    }

    private static void Replace(JsonNode root, object[] path, JsonNode value)
    {
        var parent = path[..^1].Aggregate(root, (node, step) => step is int index ? node[index]! : node[(string)step]!);
        if (path[^1] is int last)
        {
            parent[last] = value;
        }
        else
        {
            parent[(string)path[^1]] = value;
        }
    }

    /// <summary>The endpoint's path with its route values filled in: the seeded candidate, stream, run and item.</summary>
    private static string Fill(RoutePattern pattern, Dictionary<string, string> values)
    {
        var raw = Pattern(pattern);
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternParameterPart { Name: "id" } parameter when parameter.ParameterPolicies.Count > 0 => "1",
                    // Rejecting or promoting the main candidate would end its gating for the endpoints swept after it.
                    RoutePatternParameterPart { Name: "id" } when raw.EndsWith("/reject", StringComparison.Ordinal) || raw.Contains("/promot", StringComparison.Ordinal) => Spare,
                    RoutePatternParameterPart { Name: "id" } => Candidate,
                    RoutePatternParameterPart parameter => values.GetValueOrDefault(parameter.Name, "1"),
                    _ => "",
                });
            }
        }
        return path.ToString();
    }

    /// <summary>The route as its template reads, without constraints or a trailing slash: /api/v1/checklist-runs/{runId}/items/{key}.</summary>
    private static string Pattern(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            _ => "",
        }))));

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary>A billion laughs: nine levels of nine aliases each, harmless only if aliases are not expanded.</summary>
    private static string Laughs()
    {
        var yaml = new StringBuilder("a0: &a0 [\"lol\"]\n");
        for (var level = 1; level <= 9; level++)
        {
            yaml.Append($"a{level}: &a{level} [{string.Join(",", Enumerable.Repeat($"*a{level - 1}", 9))}]\n");
        }
        return yaml.Append("requires:\n  - testcase: t\n").ToString();
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "…";
}
