using System.Runtime.CompilerServices;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace SeqCourse.Numerics;

/// <summary>
/// Installs <see cref="FastLinearAlgebraProvider"/> as Math.NET's linear-algebra provider.
/// The library does this itself when it is loaded (so notebooks and model code are fast without a call);
/// set the environment variable <c>SEQCOURSE_FAST_GEMM=0</c> to keep Math.NET's managed provider.
/// </summary>
public static class Fast
{
    private static readonly object Gate = new();
    private static ILinearAlgebraProvider? s_previous;

    /// <summary>Whether Math.NET's current provider is the fast one.</summary>
    public static bool IsEnabled => LinearAlgebraControl.Provider is FastLinearAlgebraProvider;

    /// <summary>Makes Math.NET use <see cref="FastLinearAlgebraProvider"/>. Idempotent and thread-safe.</summary>
    public static void Enable()
    {
        lock (Gate)
        {
            if (IsEnabled) return;
            s_previous = LinearAlgebraControl.Provider;
            LinearAlgebraControl.Provider = new FastLinearAlgebraProvider();
        }
    }

    /// <summary>Restores the provider that was active before <see cref="Enable"/> (Math.NET's managed one by default). Idempotent.</summary>
    public static void Disable()
    {
        lock (Gate)
        {
            if (!IsEnabled) return;
            LinearAlgebraControl.Provider = s_previous ?? ManagedLinearAlgebraProvider.Instance;
            s_previous = null;
        }
    }

#pragma warning disable CA2255 // A library module initializer is deliberate: every notebook and model file gets the fast products.
    [ModuleInitializer]
    internal static void EnableOnLoad()
    {
        if (Environment.GetEnvironmentVariable("SEQCOURSE_FAST_GEMM") != "0") Enable();
    }
#pragma warning restore CA2255
}
