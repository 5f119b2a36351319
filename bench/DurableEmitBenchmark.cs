using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Redis;

namespace Orleans.ConvoOrchestrator.Bench;

/// <summary>
/// Durable emits: one silo on the Redis store (its own redis-server, append-only, fsync always or everysec), one
/// event whose handler holds every job so its queue only grows. The queue is first filled to a depth, then many
/// concurrent emitters accept jobs into it: accepted emits per second (each returned only once its job was in
/// Redis) and emit latency. Depth 10 vs 10,000 shows whether an emit's cost grows with the queue. With AckReplicas
/// above 0 the Redis gets that many replicas (same machine, same fsync) and every job write waits for them (WAIT).
/// </summary>
internal static class DurableEmitBenchmark
{
    public sealed record Result(string Fsync, int AckReplicas, int Depth, int Emits, int Concurrency, double EmitsPerSecond, double P50Ms, double P99Ms);

    public static async Task<List<Result>> RunAsync(string[] fsyncs, int[] depths, int emits, int concurrency, int[]? ackReplicas = null)
    {
        var results = new List<Result>();
        foreach (var fsync in fsyncs)
        foreach (var ack in ackReplicas ?? [0])
        foreach (var depth in depths)
        {
            Console.Error.WriteLine($"durable emits: fsync {fsync}, AckReplicas {ack}, depth {depth}, {emits} emits x {concurrency} concurrent ...");
            results.Add(await RunOneAsync(fsync, ack, depth, emits, concurrency));
        }
        return results;
    }

    private static async Task<Result> RunOneAsync(string fsync, int ackReplicas, int depth, int emits, int concurrency)
    {
        await using var redis = await Comparison.RedisServer.StartAsync(fsync);
        var replicas = new List<Comparison.RedisServer>();
        for (var r = 0; r < ackReplicas; r++) replicas.Add(await Comparison.RedisServer.StartAsync(fsync, replicaOf: redis.Port));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new HandlerRegistry();
        handlers.Register("hold", async ctx => await gate.Task.WaitAsync(ctx.CancellationToken));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            silo.UseConvoCluster(new ConvoSiloSettings
            {
                Store = ConvoStoreKind.Redis, Redis = redis.Configuration, SiloPort = FreePorts.Next(), GatewayPort = FreePorts.Next(),
                ClusterId = "bench", ServiceId = "bench",
            });
            silo.AddConvoOrchestrator(o => o.QueueMaxSize = null, handlers: handlers);
            silo.Services.Configure<ConvoRedisOptions>(o => o.AckReplicas = ackReplicas);
        });
        using var host = builder.Build();
        await host.StartAsync();
        var api = host.Services.GetRequiredService<IEventOrchestrator>();
        var ev = new EventId("durable");
        (await api.SaveEventAsync(new Event(ev, "durable", "hold", new Policy(TimeoutSec: null, MaxConcurrency: 1)))).Unwrap();

        // Fill to the depth (not measured), then measure.
        await Parallel.ForAsync(0, depth, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) => (await api.EmitAsync(ev, new { n = 0 })).Unwrap());
        var latencies = new double[emits];
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < emits)
            {
                var started = Stopwatch.GetTimestamp();
                (await api.EmitAsync(ev, new { n = i })).Unwrap();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        var elapsed = watch.Elapsed;
        var status = (await api.StatusAsync(ev)).Unwrap();
        if (status.QueueDepth + status.Running < depth + emits) throw new InvalidOperationException($"only {status.QueueDepth} queued");
        gate.TrySetResult();
        await host.StopAsync(TimeSpan.FromSeconds(5));
        foreach (var replica in replicas) await replica.DisposeAsync();
        Array.Sort(latencies);
        return new Result(fsync, ackReplicas, depth, emits, concurrency, emits / elapsed.TotalSeconds,
            latencies[(int)(emits * 0.50)], latencies[Math.Min(emits - 1, (int)(emits * 0.99))]);
    }

    public static void Print(IEnumerable<Result> results)
    {
        Console.WriteLine("| fsync | AckReplicas | queue depth before | emits | concurrent emitters | accepted emits / s | p50 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Fsync} | {r.AckReplicas} | {r.Depth:N0} | {r.Emits:N0} | {r.Concurrency} | {r.EmitsPerSecond:N0} | {r.P50Ms:0.00} | {r.P99Ms:0.00} |"));
    }
}
