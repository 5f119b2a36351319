namespace Orleans.ConvoOrchestrator.Runtime;

/// <summary>The real clock, under the guide's name. Any <see cref="TimeProvider"/> works where a clock is asked for;
/// tests pass a <c>FakeTimeProvider</c> (the Python library's <c>FakeClock</c>).</summary>
public sealed class SystemClock : TimeProvider
{
    /// <summary>Whether <paramref name="clock"/> tells the system's time (null meaning the default, the system's).</summary>
    internal static bool IsSystem(TimeProvider? clock) => clock is null or SystemClock || ReferenceEquals(clock, System);
}
