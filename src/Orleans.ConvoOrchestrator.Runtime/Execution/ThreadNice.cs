using System.Runtime.InteropServices;

namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// Lowers one OS thread's scheduling priority (its nice value) on Linux, where each thread has its own; a no-op on
/// other systems. Raising a thread's nice needs no privilege, lowering it back does: so a lowered thread stays
/// lowered until it ends.
/// </summary>
internal static class ThreadNice
{
    private const int PrioProcess = 0; // on Linux, PRIO_PROCESS with a thread id names that one thread
    private static readonly long GettidNumber = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 186,
        Architecture.Arm64 => 178,
        Architecture.X86 or Architecture.Arm => 224,
        _ => -1,
    };
    private static volatile bool _unavailable = !OperatingSystem.IsLinux() || GettidNumber < 0;

    /// <summary>The calling thread's OS thread id; 0 when unknown (not Linux, or the call failed).</summary>
    public static int CurrentThreadId()
    {
        if (_unavailable) return 0;
        try
        {
            var tid = syscall(GettidNumber);
            return tid > 0 ? (int)tid : 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return 0;
        }
    }

    /// <summary>Sets thread <paramref name="tid"/>'s nice value to <paramref name="nice"/> (1-19: nicer); false when not done.</summary>
    public static bool TryLower(int tid, int nice)
    {
        if (_unavailable || tid <= 0 || nice <= 0) return false;
        try
        {
            return setpriority(PrioProcess, (uint)tid, nice) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return false;
        }
    }

    /// <summary>The nice value of thread <paramref name="tid"/>, or null when it cannot be read (tests).</summary>
    public static int? Read(int tid)
    {
        if (_unavailable || tid <= 0) return null;
        try
        {
            // getpriority may answer -1 for a real nice of -1; threads here are never below 0.
            var nice = getpriority(PrioProcess, (uint)tid);
            return nice == -1 ? null : nice;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "syscall")]
    private static extern long syscall(long number);

    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int setpriority(int which, uint who, int prio);

    [DllImport("libc", EntryPoint = "getpriority")]
    private static extern int getpriority(int which, uint who);
}
