using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// <c>watch [event-id...] [--interval 2s] [--count N]</c>: a live table of events (active, running, queued, next run,
/// last outcome, OK and failed counts), refreshed every interval until Ctrl+C or N refreshes. With <c>--json</c>,
/// one JSON object per refresh, each on its own line.
/// </summary>
internal static class WatchCommand
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    public static Command Create()
    {
        var ids = new Argument<string[]>("event-ids")
        {
            Description = "The events to watch (default: every event)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var interval = new Option<string>("--interval", "-i")
        {
            HelpName = "DURATION",
            Description = $"Time between refreshes, at least {Format.Duration(MinInterval)} ({DurationText.Help}; default 2s)",
            DefaultValueFactory = _ => "2s",
        };
        var count = new Option<int?>("--count", "-c")
        {
            HelpName = "N",
            Description = "Stop after this many refreshes (default: until Ctrl+C)",
        };
        var command = new Command("watch", "A live table of events, refreshed until Ctrl+C (or --count refreshes)") { ids, interval, count };
        command.SetClusterAction((parse, output) =>
        {
            var named = new List<EventId>();
            foreach (var text in parse.GetValue(ids) ?? [])
            {
                var id = new EventId(text);
                if (DefinitionValidator.Validate(id) is { IsErr: true } bad) throw new UsageException(bad.Error.Message);
                if (!named.Contains(id)) named.Add(id);
            }
            var every = DurationText.Parse(parse.GetValue(interval)!, "--interval");
            if (every < MinInterval) throw new UsageException($"--interval must be at least {Format.Duration(MinInterval)} (got {Format.Duration(every)})");
            var refreshes = parse.GetValue(count);
            if (refreshes is < 1) throw new UsageException($"--count must be at least 1 (got {refreshes})");
            return (orchestrator, cancellationToken) => RunAsync(orchestrator, output, named, every, refreshes, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(IEventOrchestrator orchestrator, Output output, IReadOnlyList<EventId> named,
        TimeSpan every, int? refreshes, CancellationToken cancellationToken)
    {
        using var view = LiveView.For(output);
        var start = TimeProvider.System.GetTimestamp();
        try
        {
            for (var refresh = 1; refreshes is null || refresh <= refreshes; refresh++)
            {
                var frame = await WatchFrame.TakeAsync(orchestrator, named, refresh, cancellationToken);
                // An event named on the command line that does not exist is a typo, not something to watch.
                if (refresh == 1 && named.Count > 0 && frame.Events.FirstOrDefault(r => r.Problem is not null) is { } missing)
                    return output.Fail(new AppError(ErrorKind.NOT_FOUND, $"event '{missing.EventId}' does not exist"));
                Show(view, output, frame, every, refreshes);
                if (refresh == refreshes) break;
                // Fixed rate: refresh k is due at start + k * interval, however long taking a frame took.
                var due = every * refresh - TimeProvider.System.GetElapsedTime(start);
                if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C is how a watch normally ends: not an error, and the last table stays on screen.
        }
        return ExitCodes.Ok;
    }

    private static void Show(LiveView view, Output output, WatchFrame frame, TimeSpan every, int? refreshes)
    {
        if (output.Json)
        {
            output.WriteJsonLine(new { at = frame.At, refresh = frame.Refresh, events = frame.Events });
            output.Flush();
            return;
        }
        var text = new StringWriter();
        var of = refreshes is { } n ? $"refresh {frame.Refresh} of {n}" : $"refresh {frame.Refresh}";
        var stop = view.InPlace ? ", Ctrl+C to stop" : "";
        text.WriteLine($"{Format.Time(frame.At)}  every {Format.Duration(every)}, {of}{stop}");
        if (frame.Events.Count == 0) text.WriteLine("no events");
        else frame.ToTable().WriteTo(text);
        view.Show(text.ToString());
    }
}
