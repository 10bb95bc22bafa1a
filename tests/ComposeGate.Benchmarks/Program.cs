namespace ComposeGate.Benchmarks;

/// <summary>
/// On-demand benchmarks (never in CI):
///   dotnet run -c Release --project tests/ComposeGate.Benchmarks            ingest and diff of full-size composes
///   dotnet run -c Release --project tests/ComposeGate.Benchmarks -- results  result throughput against the published app
///   dotnet run -c Release --project tests/ComposeGate.Benchmarks -- promotion  satisfying result → promoted (local publish, local forge)
///   dotnet run -c Release --project tests/ComposeGate.Benchmarks -- idle       CPU of the published app doing nothing
/// </summary>
internal static class Program
{
    public static Task Main(string[] args) => args.FirstOrDefault() switch
    {
        "results" => ResultsBenchmark.RunAsync(),
        "promotion" => PromotionBenchmark.RunAsync(),
        "idle" => IdleBenchmark.RunAsync(),
        null or "ingest" => IngestBenchmark.RunAsync(),
        var other => throw new ArgumentException($"Unknown benchmark '{other}'; use ingest, results, promotion or idle."),
    };
}
