// 1. Import the required components
using Orleans.ConvoOrchestrator;
using Orleans.ConvoOrchestrator.Runtime;

// 2. Create the repository, metrics, clock, and handler registry
var repo = new InMemoryEventRepository();
var metrics = new InMemoryMetrics();
var clock = new SystemClock();
var registry = new HandlerRegistry();

// 3. Define and register a handler (sync or async; it receives an EventContext)
registry.Register("my-handler", ctx =>
{
    Console.WriteLine($"Running handler for event={ctx.EventId.Value}, payload={ctx.PayloadJson}");
    return "done";
});

// 4. Create an Event
var ev = new Event(
    Id: new EventId("ev-hello"),
    Name: "hello-event",
    HandlerName: "my-handler",
    Policy: new Policy(TimeoutSec: 2.0, MaxRetries: 0, MaxConcurrency: 1),
    Active: true);
repo.SaveEvent(ev);

// 5. (Optional) Attach a Trigger
var trig = new Trigger(
    Id: new TriggerId("tr-hello"),
    Kind: TriggerKind.INTERVAL,
    Interval: TimeSpan.FromSeconds(10),
    Active: true);
repo.AttachTrigger(ev.Id, trig);

// 6. Create and start the EventManager
var mgr = new EventManager(repo: repo, handlerRegistry: registry, clock: clock, metrics: metrics, schedulerTickMs: 100);
mgr.Start();

// 7. Manually emit an event (alternative to triggers)
await mgr.EmitAsync(ev.Id, payload: new { msg = "manual trigger" });
await Task.Delay(500);
await mgr.StopAsync();

// 8. Check event status and metrics
var status = mgr.Status(ev.Id).Unwrap();
Console.WriteLine($"Last outcome: {status.LastOutcome}");
Console.WriteLine($"Metrics snapshot: {metrics.Snapshot()}");
