using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SeqCourse.Numerics;

/// <summary>Which instruction set the kernels use. <see cref="Auto"/> picks the widest the hardware accelerates.</summary>
public enum SimdLevel
{
    /// <summary>Widest accelerated width: Vector512 if accelerated, else Vector256, else scalar.</summary>
    Auto,
    /// <summary><c>Vector512&lt;double&gt;</c> (AVX-512). Forced on hardware without it, .NET emulates it: correct but slow.</summary>
    Vector512,
    /// <summary><c>Vector256&lt;double&gt;</c> (AVX2 + FMA).</summary>
    Vector256,
    /// <summary>Plain scalar code with <see cref="Math.FusedMultiplyAdd"/>.</summary>
    Scalar,
}

/// <summary>
/// The vector operations the kernels need (GEMM, CTC, the char-LM's fused step), as static abstract members so that
/// one generic kernel is compiled (specialised by the JIT, no virtual calls) for Vector512, Vector256 and scalar doubles.
/// </summary>
internal unsafe interface ISimd<TV> where TV : struct
{
    static abstract int Width { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(double* p);
    static abstract void Store(double* p, TV v);
    static abstract TV Broadcast(double x);
    /// <summary>a * b + c, fused where the hardware has FMA.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Mul(TV a, TV b);
    static abstract TV Add(TV a, TV b);
    static abstract TV Sub(TV a, TV b);
    static abstract TV Div(TV a, TV b);
    static abstract TV Min(TV a, TV b);
    static abstract TV Max(TV a, TV b);
    static abstract TV Abs(TV a);
    /// <summary>|mag| with the sign bit of <paramref name="sign"/>.</summary>
    static abstract TV CopySign(TV mag, TV sign);
    /// <summary>2ⁿ from y = n + 1.5·2⁵² (n integral, −1022 ≤ n ≤ 1023), by moving n into the exponent bits (the exp kernels).</summary>
    static abstract TV Pow2FromShifted(TV y);
    static abstract double Sum(TV v);
    static abstract double MaxAcross(TV v);
}

internal unsafe struct V512 : ISimd<Vector512<double>>
{
    public static int Width => 8;
    public static Vector512<double> Zero => Vector512<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(double* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Vector512<double> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Broadcast(double x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Fma(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Mul(Vector512<double> a, Vector512<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sub(Vector512<double> a, Vector512<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Div(Vector512<double> a, Vector512<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Min(Vector512<double> a, Vector512<double> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Max(Vector512<double> a, Vector512<double> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Abs(Vector512<double> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> CopySign(Vector512<double> mag, Vector512<double> sign) =>
        (Vector512.Abs(mag).AsUInt64() | (sign.AsUInt64() & Vector512.Create(0x8000_0000_0000_0000UL))).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Pow2FromShifted(Vector512<double> y) =>
        (Vector512.ShiftLeft(y.AsInt64(), 52) + Vector512.Create(1023L << 52)).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Vector512<double> v) => Vector512.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Vector512<double> v)
    {
        var h = Vector256.Max(v.GetLower(), v.GetUpper());
        var q = Vector128.Max(h.GetLower(), h.GetUpper());
        return Math.Max(q.GetElement(0), q.GetElement(1));
    }
}

internal unsafe struct V256 : ISimd<Vector256<double>>
{
    public static int Width => 4;
    public static Vector256<double> Zero => Vector256<double>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(double* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, Vector256<double> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Broadcast(double x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Mul(Vector256<double> a, Vector256<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sub(Vector256<double> a, Vector256<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Div(Vector256<double> a, Vector256<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Min(Vector256<double> a, Vector256<double> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Max(Vector256<double> a, Vector256<double> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Abs(Vector256<double> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> CopySign(Vector256<double> mag, Vector256<double> sign) =>
        (Vector256.Abs(mag).AsUInt64() | (sign.AsUInt64() & Vector256.Create(0x8000_0000_0000_0000UL))).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Pow2FromShifted(Vector256<double> y) =>
        (Vector256.ShiftLeft(y.AsInt64(), 52) + Vector256.Create(1023L << 52)).AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Vector256<double> v) => Vector256.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Vector256<double> v)
    {
        var q = Vector128.Max(v.GetLower(), v.GetUpper());
        return Math.Max(q.GetElement(0), q.GetElement(1));
    }
}

internal unsafe struct VScalar : ISimd<double>
{
    public static int Width => 1;
    public static double Zero => 0.0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Load(double* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(double* p, double v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Broadcast(double x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Fma(double a, double b, double c) => Math.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Mul(double a, double b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Add(double a, double b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sub(double a, double b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Div(double a, double b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Min(double a, double b) => Math.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Max(double a, double b) => Math.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Abs(double a) => Math.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double CopySign(double mag, double sign) => Math.CopySign(mag, sign);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Pow2FromShifted(double y) =>
        BitConverter.Int64BitsToDouble((BitConverter.DoubleToInt64Bits(y) << 52) + (1023L << 52));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(double v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MaxAcross(double v) => v;
}
