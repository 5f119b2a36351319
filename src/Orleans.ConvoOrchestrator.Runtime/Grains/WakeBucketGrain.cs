using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.ConvoOrchestrator.Grains;
using Orleans.Runtime;

namespace Orleans.ConvoOrchestrator.Runtime.Grains;

/// <summary>
/// Wakes the far triggers of one time bucket when it starts. Its triggers list themselves in the bucket's catalog
/// and let their grains deactivate; one durable reminder (first tick at the bucket's start, then every
/// <see cref="ConvoOrchestratorOptions.ReminderPeriod"/> until the bucket is empty) brings this grain back, on any
/// silo, to resume each of them. An entry goes only once its trigger answered that its next wake-up is durable,
/// so a lost silo or a failed call means another try at the next tick, never a trigger left asleep.
/// Why buckets: docs/adr/0007-wake-buckets.md.
/// </summary>
internal sealed partial class WakeBucketGrain : Grain, IWakeBucketGrain, IRemindable
{
    private const string ReminderName = "convo-wake";
    private const int PageSize = 256;
    // Orleans takes reminder due times up to ~49 days; a farther bucket is reached by ticking on the way.
    private static readonly TimeSpan MaxReminderDue = TimeSpan.FromDays(30);
    private readonly ICatalogStore _catalog;
    private readonly ConvoOrchestratorOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<WakeBucketGrain> _logger;
    private readonly long _key;
    private readonly string _catalogName;
    private bool _registered;

    /// <summary>Created by Orleans.</summary>
    public WakeBucketGrain(
        ICatalogStore catalog,
        IOptions<ConvoOrchestratorOptions> options,
        [FromKeyedServices(ConvoServiceKeys.Clock)] TimeProvider clock,
        ILogger<WakeBucketGrain> logger)
    {
        _catalog = catalog;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _key = this.GetPrimaryKeyLong();
        _catalogName = WakeBuckets.CatalogOf(_key);
    }

    private DateTimeOffset Start => WakeBuckets.StartOf(_key);

    /// <inheritdoc />
    public Task EnsureAsync() => _registered ? Task.CompletedTask : RegisterAsync();

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Too early (a bucket more than MaxReminderDue away ticks on its way; the silo's clock may run ahead of the one
        // that set the due time): aim again, wake nobody yet. Woken before the start, a trigger whose fire is at the
        // end of the bucket could still count as far and stay listed here.
        if (_clock.GetUtcNow() < Start)
        {
            await RegisterAsync();
            return;
        }
        var left = await ResumeAllAsync();
        if (left > 0)
        {
            LogLeft(_key, left); // the reminder keeps ticking every period: they are tried again
            return;
        }
        // Nothing left to wake. A trigger that lists itself here later (only with clocks far apart) registers again.
        await this.ForgetReminderAsync(ReminderName);
        _registered = false;
        DeactivateOnIdle();
    }

    // Resumes every listed trigger, a page at a time, and drops the entries of those that answered; returns how
    // many are left.
    private async Task<int> ResumeAllAsync()
    {
        var left = 0;
        string? after = null;
        while (true)
        {
            var page = await _catalog.ListAsync(_catalogName, after, PageSize);
            if (page.Count == 0) return left;
            var resumed = new Task<bool>[page.Count];
            for (var i = 0; i < page.Count; i++) resumed[i] = ResumeAsync(page[i].Id);
            await Task.WhenAll(resumed);
            for (var i = 0; i < page.Count; i++)
            {
                if (resumed[i].Result) await _catalog.RemoveAsync(_catalogName, page[i].Id);
                else left++;
            }
            if (page.Count < PageSize) return left;
            after = page[^1].Id;
        }
    }

    private async Task<bool> ResumeAsync(string triggerId)
    {
        try
        {
            return await GrainFactory.GetGrain<ITriggerGrain>(triggerId).ResumeAsync(_key);
        }
        catch (Exception ex)
        {
            LogResumeFailed(ex, _key, triggerId);
            return false;
        }
    }

    private async Task RegisterAsync()
    {
        // Reminders run on the silo's real clock; the due time comes from the orchestrator's clock, like the trigger's.
        var due = Start - _clock.GetUtcNow();
        if (due < TimeSpan.Zero) due = TimeSpan.Zero;
        if (due > MaxReminderDue) due = MaxReminderDue;
        await this.RegisterOrUpdateReminder(ReminderName, due, _options.ReminderPeriod);
        _registered = true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wake bucket {Bucket}: {Left} trigger(s) could not be resumed; trying again at the next tick")]
    private partial void LogLeft(long bucket, int left);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wake bucket {Bucket}: resuming trigger {TriggerId} failed")]
    private partial void LogResumeFailed(Exception ex, long bucket, string triggerId);
}
