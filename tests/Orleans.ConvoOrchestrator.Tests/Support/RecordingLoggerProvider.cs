using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>Keeps the log lines of categories starting with a prefix, so a failing test can show what the component said.</summary>
public sealed class RecordingLoggerProvider(string categoryPrefix) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => categoryName.StartsWith(categoryPrefix, StringComparison.Ordinal)
        ? new Logger(this, categoryName)
        : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            while (owner._lines.Count > 500) owner._lines.TryDequeue(out _);
        }
    }
}
