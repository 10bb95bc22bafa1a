using System.Diagnostics;

namespace ComposeGate.Benchmarks;

/// <summary>
/// What the published app costs while nothing happens: started on loopback with one configured stream polled every
/// minute, left alone for a warm-up, then its CPU time (user + system, from /proc) over a minute, as a share of one core.
/// Hangfire's polling (queue, schedules, recurring jobs, heartbeats) is most of it.
/// </summary>
internal static class IdleBenchmark
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    public static async Task RunAsync()
    {
        var work = Path.Combine(Path.GetTempPath(), "composegate-idle-benchmark", Guid.NewGuid().ToString("N"));
        var composes = Path.Combine(work, "composes");
        Directory.CreateDirectory(composes);
        Process? app = null;
        try
        {
            var published = await ResultsBenchmark.PublishAsync(Path.Combine(work, "app"));
            var port = ResultsBenchmark.FreePort();
            app = ResultsBenchmark.Start(published, Path.Combine(work, "data"), port, new Dictionary<string, string>
            {
                ["ComposeGate:Sources:AllowedRoots:0"] = composes,
                ["ComposeGate:Streams:cs10:Source:ComposeUrl"] = composes,
                ["ComposeGate:Streams:cs10:Source:Schedule"] = "0 * * * * ?", // every minute, in both cron dialects
            });
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await ResultsBenchmark.WaitHealthyAsync(http);
            await Task.Delay(WarmUp);
            var before = CpuTime(app.Id);
            var watch = Stopwatch.StartNew();
            await Task.Delay(Window);
            var used = CpuTime(app.Id) - before;
            Console.WriteLine($"idle: {used.TotalMilliseconds:F0} ms of CPU in {watch.Elapsed.TotalSeconds:F0} s = " +
                $"{100 * used / watch.Elapsed:F2} % of one core; RSS {RssMiB(app.Id):F0} MiB");
        }
        finally
        {
            app?.Kill();
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>utime + stime of the process (fields 14 and 15 of /proc/pid/stat, in clock ticks of 1/100 s).</summary>
    private static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromMilliseconds((long.Parse(fields[11]) + long.Parse(fields[12])) * 10);
    }

    private static double RssMiB(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0).Single();
}
