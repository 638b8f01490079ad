using System.Runtime.InteropServices;

namespace SeqCourse.Runtime.Exercises;

/// <summary>
/// Confines a grade worker's file writes to its own working folder with Linux Landlock (kernel 5.13+, no privileges
/// needed): creating, writing, truncating, renaming or deleting anything outside that folder fails with "permission
/// denied", which <see cref="GradeWorker"/> reports as "tried to write outside its folder". Reading stays allowed
/// (the datasets and the library are read).
/// <para>
/// Landlock restricts the calling thread and the threads and processes it creates later, not threads that already
/// exist, and .NET starts several threads before <c>Main</c>. So <see cref="ConfineAndRestart"/> restricts the main
/// thread and then replaces the process with a fresh copy of itself (<c>execve</c>, same PID, same pipes): every
/// thread of the new runtime inherits the restriction.
/// </para>
/// </summary>
public static class WriteSandbox
{
    /// <summary>Set in the restarted worker: the process runs confined.</summary>
    public const string ConfinedVariable = "SEQCOURSE_GRADE_CONFINED";

    // landlock.h: the file-system rights this sandbox takes over (all the writing ones; execute and read stay free).
    private const ulong WriteFile = 1UL << 1, RemoveDir = 1UL << 4, RemoveFile = 1UL << 5, MakeChar = 1UL << 6,
        MakeDir = 1UL << 7, MakeReg = 1UL << 8, MakeSock = 1UL << 9, MakeFifo = 1UL << 10, MakeBlock = 1UL << 11,
        MakeSym = 1UL << 12, Refer = 1UL << 13, Truncate = 1UL << 14;

    private const long SysCreateRuleset = 444, SysAddRule = 445, SysRestrictSelf = 446; // x86-64 and arm64 alike
    private const int PrSetNoNewPrivs = 38, RulePathBeneath = 1, OPath = 0x200000, OCloexec = 0x80000;

    /// <summary>True when this process runs confined (it was restarted by <see cref="ConfineAndRestart"/>).</summary>
    public static bool IsConfined => Environment.GetEnvironmentVariable(ConfinedVariable) == "1";

    /// <summary>The Landlock ABI version of this kernel, or 0 when Landlock is missing (not Linux, old or disabled).</summary>
    public static int AbiVersion()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return 0;
        }

        try
        {
            long version = syscall(SysCreateRuleset, IntPtr.Zero, 0, 1); // LANDLOCK_CREATE_RULESET_VERSION
            return version > 0 ? (int)version : 0;
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Restricts writes to <paramref name="folder"/> (and writing to already existing devices such as /dev/null), then
    /// restarts this process confined. Returns only if that is impossible, with the reason (the caller runs
    /// unconfined); on success it never returns.
    /// </summary>
    public static string ConfineAndRestart(string folder)
    {
        int abi = AbiVersion();
        if (abi == 0)
        {
            return "file writes are not confined: this system has no Landlock (Linux 5.13+)";
        }

        ulong handled = WriteFile | RemoveDir | RemoveFile | MakeChar | MakeDir | MakeReg | MakeSock | MakeFifo | MakeBlock | MakeSym;
        if (abi >= 2) handled |= Refer;
        if (abi >= 3) handled |= Truncate;

        int ruleset = (int)syscall(SysCreateRuleset, ref handled, sizeof(ulong), 0);
        if (ruleset < 0)
        {
            return $"file writes are not confined: landlock_create_ruleset failed (errno {Marshal.GetLastPInvokeError()})";
        }

        try
        {
            if (!Allow(ruleset, Path.GetFullPath(folder), handled) || !Allow(ruleset, "/dev", WriteFile | (abi >= 3 ? Truncate : 0)))
            {
                return $"file writes are not confined: landlock_add_rule failed (errno {Marshal.GetLastPInvokeError()})";
            }

            if (prctl(PrSetNoNewPrivs, 1, 0, 0, 0) != 0 || syscallRestrict(SysRestrictSelf, ruleset, 0) != 0)
            {
                return $"file writes are not confined: landlock_restrict_self failed (errno {Marshal.GetLastPInvokeError()})";
            }
        }
        finally
        {
            close(ruleset);
        }

        // Same program, same arguments (/proc/self/cmdline), plus the marker: the restarted runtime is confined from its
        // first thread on. execve only returns on failure.
        var argv = File.ReadAllText("/proc/self/cmdline").Split('\0', StringSplitOptions.None);
        argv = argv[..^1]; // the list ends with a NUL
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}").Where(e => !e.StartsWith(ConfinedVariable + "=", StringComparison.Ordinal))
            .Append($"{ConfinedVariable}=1").ToArray();
        Console.Out.Flush();
        Console.Error.Flush();
        execve("/proc/self/exe", NullTerminated(argv), NullTerminated(env));
        return $"file writes are not confined: execve failed (errno {Marshal.GetLastPInvokeError()})";
    }

    /// <summary>
    /// Plain words for a write that the sandbox refused, or null if the error (<paramref name="exceptionName"/>: <paramref name="message"/>) is something else
    /// (.NET reports the refusal as UnauthorizedAccessException "Access to the path '…' is denied.").
    /// </summary>
    public static string? Explain(string exceptionName, string message, string folder)
    {
        if (!IsConfined || exceptionName != "UnauthorizedAccessException")
        {
            return null;
        }

        var path = message.IndexOf('\'') is var i and >= 0 && message.LastIndexOf('\'') is var j && j > i ? message[(i + 1)..j] : null;
        if (path is not null && Path.GetFullPath(path).StartsWith(Path.GetFullPath(folder).TrimEnd('/') + "/", StringComparison.Ordinal))
        {
            return null; // inside the folder: a real permission problem, not the sandbox
        }

        return $"your code tried to write outside its folder ({path ?? message}): graded code may only write files in its own working folder";
    }

    /// <summary>A C array of UTF-8 strings ending with NULL (never freed: execve replaces the process or we exit soon).</summary>
    private static IntPtr[] NullTerminated(string[] items) =>
        [.. items.Select(Marshal.StringToCoTaskMemUTF8), IntPtr.Zero];

    private static bool Allow(int ruleset, string path, ulong access)
    {
        int fd = open(path, OPath | OCloexec);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            var rule = new PathBeneath { AllowedAccess = access, ParentFd = fd };
            return syscall(SysAddRule, ruleset, RulePathBeneath, ref rule, 0) == 0;
        }
        finally
        {
            close(fd);
        }
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private struct PathBeneath
    {
        public ulong AllowedAccess;
        public int ParentFd;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, IntPtr attr, long size, uint flags);

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, ref ulong handledAccessFs, long size, uint flags);

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, int rulesetFd, int ruleType, ref PathBeneath attr, uint flags);

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long syscallRestrict(long number, int rulesetFd, uint flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int execve([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr[] argv, IntPtr[] envp);
}
