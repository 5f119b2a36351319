namespace Orleans.ConvoOrchestrator.Runtime.Handlers.BuiltIn;

/// <summary>Handlers a user can try without writing code: <c>log</c>, <c>echo</c>, <c>fail</c>, <c>sleep</c>.</summary>
public static class BuiltInHandlers
{
    /// <summary>Registers the built-in handlers (names: log, echo, fail, sleep).</summary>
    public static HandlerRegistry RegisterBuiltIns(this HandlerRegistry registry) => registry
        .Register<LogHandler>("log")
        .Register("echo", ctx => (object?)ctx.PayloadJson)
        .Register("fail", ctx => throw new InvalidOperationException(MessageOf(ctx) ?? "failed on purpose"))
        .Register("sleep", async ctx =>
        {
            var ms = SleepMillis(ctx);
            await Task.Delay(ms, ctx.CancellationToken).ConfigureAwait(false);
            return $"slept {ms} ms";
        });

    private static string? MessageOf(EventContext ctx) =>
        ctx.Payload.ValueKind == System.Text.Json.JsonValueKind.Object && ctx.Payload.TryGetProperty("message", out var m) ? m.ToString() : null;

    // {"ms": 250} or {"seconds": 1.5}; one second when the payload says neither.
    private static int SleepMillis(EventContext ctx)
    {
        var p = ctx.Payload;
        if (p.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            if (p.TryGetProperty("ms", out var ms) && ms.TryGetDouble(out var m)) return (int)Math.Clamp(m, 0, int.MaxValue);
            if (p.TryGetProperty("seconds", out var s) && s.TryGetDouble(out var sec)) return (int)Math.Clamp(sec * 1000, 0, int.MaxValue);
        }
        return 1000;
    }
}
