using Microsoft.Extensions.DependencyInjection;
using Orleans.ConvoOrchestrator.Runtime;
using Orleans.ConvoOrchestrator.Runtime.Grains;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Orleans.ConvoOrchestrator.UnitTests;

/// <summary>The embedded grain storage: states round-trip as copies, and versions guard them like e-tags.</summary>
public sealed class SiloMemoryGrainStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("trigger", "t1");
    private readonly SiloMemoryGrainStorage _storage;

    public SiloMemoryGrainStorageTests()
    {
        var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(TriggerState).Assembly)).BuildServiceProvider();
        _storage = new SiloMemoryGrainStorage(services.GetRequiredService<Serializer>(), services.GetRequiredService<IActivatorProvider>());
    }

    private async Task<GrainState<TriggerState>> ReadAsync(string name = "trigger", GrainId? grain = null)
    {
        var state = new GrainState<TriggerState>();
        await _storage.ReadStateAsync(name, grain ?? Grain, state);
        return state;
    }

    [Fact]
    public async Task Nothing_stored_reads_as_a_new_state_without_etag()
    {
        var state = await ReadAsync();
        Assert.NotNull(state.State);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task A_written_state_reads_back_as_a_copy_per_state_name_and_grain()
    {
        var written = await ReadAsync();
        written.State!.FireCount = 7;
        written.State!.Subscribers.Add("ev-1");
        await _storage.WriteStateAsync("trigger", Grain, written);
        Assert.True(written.RecordExists);
        written.State!.Subscribers.Add("changed after the write"); // the store holds bytes, not this object

        var read = await ReadAsync();
        Assert.Equal(7, read.State!.FireCount);
        Assert.Equal(["ev-1"], read.State!.Subscribers);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(read.RecordExists);
        Assert.False((await ReadAsync("other")).RecordExists);
        Assert.False((await ReadAsync(grain: GrainId.Create("trigger", "t2"))).RecordExists);
    }

    [Fact]
    public async Task Rewrites_of_the_same_size_and_of_another_size_each_read_back_as_written()
    {
        var state = await ReadAsync();
        state.State!.FireCount = 1;
        await _storage.WriteStateAsync("trigger", Grain, state);
        // Same size (a one-byte count for another): overwritten in place. A read between writes keeps its copy.
        state.State!.FireCount = 2;
        await _storage.WriteStateAsync("trigger", Grain, state);
        var second = await ReadAsync();
        state.State!.FireCount = 3;
        await _storage.WriteStateAsync("trigger", Grain, state);
        Assert.Equal(2, second.State!.FireCount);
        Assert.Equal(3, (await ReadAsync()).State!.FireCount);
        // Another size: new bytes.
        state.State!.Subscribers.Add("ev-1");
        state.State!.FireCount = 1_000_000;
        await _storage.WriteStateAsync("trigger", Grain, state);
        var read = await ReadAsync();
        Assert.Equal(1_000_000, read.State!.FireCount);
        Assert.Equal(["ev-1"], read.State!.Subscribers);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task A_writer_holding_an_older_version_fails_and_changes_nothing()
    {
        var first = await ReadAsync();
        var stale = await ReadAsync(); // a second activation that read the same (absent) state
        first.State!.FireCount = 1;
        await _storage.WriteStateAsync("trigger", Grain, first);

        stale.State!.FireCount = 99;
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("trigger", Grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("trigger", Grain, stale));
        Assert.Equal(1, (await ReadAsync()).State!.FireCount);

        first.State!.FireCount = 2; // the current holder goes on writing
        await _storage.WriteStateAsync("trigger", Grain, first);
        Assert.Equal(2, (await ReadAsync()).State!.FireCount);
    }

    [Fact]
    public async Task A_cleared_state_reads_as_new_and_cannot_be_written_back_by_an_older_holder()
    {
        var holder = await ReadAsync();
        await _storage.WriteStateAsync("trigger", Grain, holder);
        var older = await ReadAsync();
        await _storage.ClearStateAsync("trigger", Grain, holder);
        Assert.False(holder.RecordExists);

        var read = await ReadAsync();
        Assert.False(read.RecordExists);
        Assert.Equal(0, read.State!.FireCount);
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("trigger", Grain, older));
        holder.State!.FireCount = 3; // the clearer holds the version of the clear and may write again
        await _storage.WriteStateAsync("trigger", Grain, holder);
        Assert.Equal(3, (await ReadAsync()).State!.FireCount);
    }
}
