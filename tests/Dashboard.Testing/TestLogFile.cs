using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Dashboard.Testing;

/// <summary>
/// Writes every log line of every app the tests start to <c>$DASHBOARD_TEST_ARTIFACTS/logs/app-&lt;pid&gt;.log</c>
/// (Information and up for all categories, Debug for the dashboard's own), so that the test script can scan
/// a whole run's logs for photos, keys and tokens (<c>scripts/scan-logs.sh</c>). Without the variable
/// nothing is written.
/// </summary>
public sealed class TestLogFile : ILoggerProvider
{
    public const string ArtifactsVariable = "DASHBOARD_TEST_ARTIFACTS";

    private static readonly Lock Gate = new();
    private static StreamWriter? _writer;

    /// <summary>This process's log file, or null when the run keeps no artifacts.</summary>
    public static string? FilePath { get; } =
        Environment.GetEnvironmentVariable(ArtifactsVariable) is { Length: > 0 } dir
            ? Path.Combine(dir, "logs", $"app-{Environment.ProcessId}.log")
            : null;

    public static void AddTo(ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        if (FilePath is null)
        {
            return;
        }

        logging.AddProvider(new TestLogFile());
        // Provider rules win over the app's configured levels: this file sees more than the console does.
        logging.AddFilter<TestLogFile>(null, LogLevel.Information);
        logging.AddFilter<TestLogFile>("Dashboard", LogLevel.Debug);
    }

    public ILogger CreateLogger(string categoryName) => new Writer(categoryName);

    public void Dispose()
    {
        // The file stays open for the process: several apps (and test classes) share it.
    }

    private static void Write(string line)
    {
        lock (Gate)
        {
            if (_writer is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
                _writer = new StreamWriter(new FileStream(FilePath!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            }

            _writer.WriteLine(line);
        }
    }

    private sealed class Writer(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            var line = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {logLevel} {category}[{eventId.Id}] {message}");
            if (exception is not null)
            {
                line += Environment.NewLine + exception;
            }

            Write(line);
        }
    }
}
