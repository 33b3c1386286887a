using Dashboard.Benchmarks;

// dotnet run -c Release --project tests/Dashboard.Benchmarks -- <verb>
var verbs = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["ingestion"] = IngestionBenchmark.RunAsync,
    ["live"] = LiveBenchmark.RunAsync,
    ["reviews"] = ReviewsBenchmark.RunAsync,
    ["trail"] = TrailBenchmark.RunAsync,
    ["alerts"] = AlertsBenchmark.RunAsync,
    ["oversight"] = OversightBenchmark.RunAsync,
    ["reports"] = ReportsBenchmark.RunAsync,
    ["transparency"] = TransparencyBenchmark.RunAsync,
    ["load"] = LoadBenchmark.RunAsync,
};

if (args.Length == 0 || !verbs.TryGetValue(args[0], out var run))
{
    Console.WriteLine($"Usage: dotnet run -c Release --project tests/Dashboard.Benchmarks -- <{string.Join('|', verbs.Keys)}>");
    Console.WriteLine("Needs DASHBOARD_TEST_PG (a superuser connection string), or run it through ./scripts/bench.sh.");
    return 2;
}

return await run(args[1..]);
