using System.Collections.Concurrent;
using ComposeGate.Tests.Infrastructure;
using ComposeGate.Web.Features.Candidates;
using Microsoft.Extensions.DependencyInjection;

namespace ComposeGate.Tests.Candidates;

public sealed class IngestProgressTests
{
    [Fact]
    public async Task Ingest_ReportsProgressWhileStoringAndClearsWhenDone()
    {
        using var app = new ComposeGateFactory();
        using var admin = app.CreateAdminClient();
        await admin.CreateStreamAsync("progress");
        var progress = app.Services.GetRequiredService<IngestProgress>();
        var seen = new ConcurrentQueue<IngestState>();
        progress.Changed += () =>
        {
            foreach (var state in progress.Active)
            {
                seen.Enqueue(state);
            }
        };
        var packages = Enumerable.Range(0, 2000).Select(i => new TestPackage($"pkg{i}", "0:1.0-1.el10", $"pkg{i}", $"pkg{i}-libs")).ToList();
        var compose = new TestCompose("CentOS-Stream-10-20261130.0", packages);

        (await admin.PostAsync("/api/v1/streams/progress/candidates", compose.Content())).EnsureSuccessStatusCode();

        Assert.Contains(seen, s => s.Phase == "reading metadata" && s.Stream == "progress");
        Assert.Contains(seen, s => s.Phase == "storing RPMs" && s.Done == 5000 && s.Total == compose.RpmCount && s.CandidateId == compose.Id);
        Assert.Contains(seen, s => s.Done == compose.RpmCount && s.Percent == 100);
        Assert.Empty(progress.Active);
    }
}
