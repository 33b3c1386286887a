using System.Diagnostics;

namespace Dashboard.Benchmarks;

/// <summary>
/// A steady rate, open loop: each request leaves on its schedule whether or not earlier ones have
/// answered, so a slow server shows up as latency instead of quietly lowering the rate.
/// </summary>
public static class OpenLoop
{
    public static Task RunAsync(int total, int ratePerSecond, Func<int, Task> send) => RunAsync(total, (double)ratePerSecond, send);

    /// <summary>The same at a fractional rate (a few check-ins a second, four location batches a second).</summary>
    public static async Task RunAsync(int total, double ratePerSecond, Func<int, Task> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        var tasks = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * Stopwatch.Frequency / ratePerSecond);
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.FromMilliseconds(2))
                {
                    await Task.Delay(wait - TimeSpan.FromMilliseconds(1));
                }
                else
                {
                    Thread.SpinWait(50);
                }
            }

            var index = i;
            tasks.Add(Task.Run(() => send(index)));
        }

        await Task.WhenAll(tasks);
    }
}
