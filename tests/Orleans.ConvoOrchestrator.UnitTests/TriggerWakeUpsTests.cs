using Orleans.ConvoOrchestrator.Runtime.Triggers;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>
/// How a trigger is woken, without Orleans: the test plays the reminder service, the catalog and the buckets, holds
/// their answers back to see the order of the changes, and fails them on purpose.
/// </summary>
public sealed class TriggerWakeUpsTests
{
    private readonly Port _port = new();

    [Fact]
    public async Task A_near_fire_registers_the_reminder_once()
    {
        var wakeUps = new TriggerWakeUps(_port);
        wakeUps.UseReminder();
        wakeUps.UseReminder();
        Assert.True(await wakeUps.SettledAsync());
        Assert.Equal(["keep-reminder"], _port.Calls);
        Assert.Null(wakeUps.Bucket);
    }

    [Fact]
    public async Task A_far_fire_joins_its_bucket_before_the_reminder_goes()
    {
        var wakeUps = new TriggerWakeUps(_port);
        wakeUps.UseReminder();
        wakeUps.UseBucket(7);
        wakeUps.UseBucket(7);
        Assert.True(await wakeUps.SettledAsync());
        Assert.Equal(["keep-reminder", "join 7", "forget-reminder"], _port.Calls);
        Assert.Equal(7, wakeUps.Bucket);
    }

    [Fact]
    public async Task Changes_run_one_after_another_even_when_the_first_is_slow()
    {
        var wakeUps = new TriggerWakeUps(_port);
        var slow = _port.Hold("keep-reminder");
        wakeUps.UseReminder();
        wakeUps.UseBucket(3);
        Assert.Equal(["keep-reminder"], _port.Calls); // the bucket waits for the reminder's registration
        slow.SetResult();
        Assert.True(await wakeUps.SettledAsync());
        Assert.Equal(["keep-reminder", "join 3", "forget-reminder"], _port.Calls);
    }

    [Fact]
    public async Task A_change_superseded_before_it_ran_does_nothing()
    {
        var wakeUps = new TriggerWakeUps(_port);
        var slow = _port.Hold("join 1");
        wakeUps.UseBucket(1);
        wakeUps.UseBucket(2); // waits behind bucket 1, then is superseded by 3 before it runs
        wakeUps.UseBucket(3);
        slow.SetResult();
        Assert.True(await wakeUps.SettledAsync());
        Assert.Equal(["join 1", "forget-reminder", "join 3", "forget-reminder"], _port.Calls);
        Assert.Equal(3, wakeUps.Bucket);
    }

    [Fact]
    public async Task A_failed_bucket_join_is_reported_and_asked_again_next_time()
    {
        var wakeUps = new TriggerWakeUps(_port);
        _port.FailNext("join 4");
        wakeUps.UseBucket(4);
        Assert.False(await wakeUps.SettledAsync());
        Assert.Null(wakeUps.Bucket);
        Assert.Single(_port.Failures);
        Assert.DoesNotContain("forget-reminder", _port.Calls); // the old wake-up stays until a new one stands

        wakeUps.UseBucket(4);
        Assert.True(await wakeUps.SettledAsync());
        Assert.Equal(4, wakeUps.Bucket);
        Assert.Equal(["join 4", "join 4", "forget-reminder"], _port.Calls);
    }

    [Fact]
    public async Task A_failed_reminder_registration_is_asked_again_next_time()
    {
        var wakeUps = new TriggerWakeUps(_port);
        _port.FailNext("keep-reminder");
        wakeUps.UseReminder();
        Assert.False(await wakeUps.SettledAsync());
        wakeUps.UseReminder();
        Assert.True(await wakeUps.SettledAsync());
        Assert.Equal(["keep-reminder", "keep-reminder"], _port.Calls);
    }

    [Fact]
    public async Task Forgetting_waits_for_a_change_under_way_then_undoes_it()
    {
        var wakeUps = new TriggerWakeUps(_port);
        var slow = _port.Hold("join 9");
        wakeUps.UseBucket(9);
        var forget = wakeUps.ForgetAsync();
        Assert.False(forget.IsCompleted);
        slow.SetResult();
        await forget;
        // The join had started, so it lands (dropping the reminder) and is then undone.
        Assert.Equal(["join 9", "forget-reminder", "forget-reminder", "leave 9"], _port.Calls);
        Assert.Null(wakeUps.Bucket);
    }

    [Fact]
    public async Task Forgetting_reports_a_failure_instead_of_throwing()
    {
        var wakeUps = new TriggerWakeUps(_port);
        _port.FailNext("forget-reminder");
        await wakeUps.ForgetAsync();
        Assert.Single(_port.Failures);
    }

    [Fact]
    public async Task A_trigger_just_created_joins_its_bucket_without_looking_for_a_reminder()
    {
        var wakeUps = new TriggerWakeUps(_port);
        wakeUps.Created();
        wakeUps.UseBucket(5);
        Assert.True(await wakeUps.SettledAsync());
        Assert.Equal(["join 5"], _port.Calls);
    }

    [Fact]
    public async Task A_created_trigger_that_had_its_own_reminder_forgets_it_when_it_moves_to_a_bucket()
    {
        var wakeUps = new TriggerWakeUps(_port);
        wakeUps.Created();
        wakeUps.UseReminder();
        wakeUps.UseBucket(5);
        Assert.True(await wakeUps.SettledAsync());
        Assert.Equal(["keep-reminder", "join 5", "forget-reminder"], _port.Calls);
    }

    [Fact]
    public async Task A_stray_reminder_ticking_while_a_bucket_wakes_the_trigger_is_forgotten()
    {
        var wakeUps = new TriggerWakeUps(_port);
        wakeUps.Created();
        wakeUps.UseBucket(5);
        wakeUps.ReminderTicked(); // left by an earlier trigger of the same id
        Assert.True(await wakeUps.SettledAsync());
        Assert.Equal(["join 5", "forget-reminder"], _port.Calls);
    }

    [Fact]
    public async Task A_reminder_tick_while_the_reminder_is_in_use_changes_nothing()
    {
        var wakeUps = new TriggerWakeUps(_port);
        wakeUps.UseReminder();
        wakeUps.ReminderTicked();
        Assert.True(await wakeUps.SettledAsync());
        Assert.Equal(["keep-reminder"], _port.Calls);
    }

    [Fact]
    public async Task A_deferred_reminder_is_registered_only_when_the_grain_leaves_and_only_once()
    {
        var wakeUps = new TriggerWakeUps(_port, deferReminder: true);
        wakeUps.Created();
        wakeUps.UseReminder();
        Assert.True(await wakeUps.SettledAsync());
        Assert.Empty(_port.Calls);

        Assert.True(await wakeUps.LeavingAsync());
        Assert.True(await wakeUps.LeavingAsync());
        Assert.Equal(["keep-reminder"], _port.Calls);
    }

    [Fact]
    public async Task A_deferred_reminder_that_a_bucket_replaced_is_never_registered_and_none_is_unregistered()
    {
        var wakeUps = new TriggerWakeUps(_port, deferReminder: true);
        wakeUps.Created();
        wakeUps.UseReminder();
        wakeUps.UseBucket(3);
        Assert.True(await wakeUps.LeavingAsync());
        Assert.Equal(["join 3"], _port.Calls);
    }

    [Fact]
    public async Task A_deferred_reminder_whose_registration_fails_on_leaving_says_so()
    {
        var wakeUps = new TriggerWakeUps(_port, deferReminder: true);
        wakeUps.UseReminder();
        _port.FailNext("keep-reminder");
        Assert.False(await wakeUps.LeavingAsync());
        Assert.Single(_port.Failures);
    }

    [Fact]
    public async Task Without_deferral_leaving_registers_nothing_more()
    {
        var wakeUps = new TriggerWakeUps(_port);
        wakeUps.UseReminder();
        Assert.True(await wakeUps.LeavingAsync());
        Assert.Equal(["keep-reminder"], _port.Calls);
    }

    private sealed class Port : TriggerWakeUps.IPort
    {
        private readonly Dictionary<string, TaskCompletionSource> _held = new();
        private readonly HashSet<string> _failing = new();

        public List<string> Calls { get; } = [];

        public List<Exception> Failures { get; } = [];

        public TaskCompletionSource Hold(string call) => _held[call] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void FailNext(string call) => _failing.Add(call);

        public Task KeepReminderAsync() => Call("keep-reminder");

        public Task ForgetReminderAsync() => Call("forget-reminder");

        public Task JoinBucketAsync(long bucket) => Call($"join {bucket}");

        public Task LeaveBucketAsync(long bucket) => Call($"leave {bucket}");

        public void Failed(Exception ex) => Failures.Add(ex);

        private async Task Call(string call)
        {
            Calls.Add(call);
            if (_held.Remove(call, out var held)) await held.Task;
            if (_failing.Remove(call)) throw new InvalidOperationException($"{call} failed on purpose");
        }
    }
}
