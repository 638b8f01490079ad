using System.Runtime.CompilerServices;

namespace SeqCourse.Numerics;

/// <summary>The range <see cref="VectorExp{TV, S}"/> clamps x to: 2ⁿ stays a normal number.</summary>
internal static class VectorExp
{
    public const double Lo = -708.0, Hi = 709.0;
}

/// <summary>
/// The vector exponential of the fused kernels (char-LM softmax and tanh, LSTM σ and tanh). The runtime's
/// Vector512.Exp / Vector256.Exp measured as slow as a scalar Math.Exp per element here. x = n·ln 2 + r with
/// n = round(x / ln 2) and |r| ≤ ln 2 / 2 (Cody–Waite: ln 2 in two parts), e^r − 1 by its Taylor polynomial to degree 13
/// (truncation below 1e−17 relative), times 2ⁿ built in the exponent bits. n comes from the low bits of
/// x / ln 2 + 1.5·2⁵² (round to nearest without a conversion). x is clamped to [−708, 709], where 2ⁿ stays a normal
/// number: below, e^x &lt; 3.3e−308 is returned as that (σ and tanh saturate identically); above, 8.2e307 instead of ∞.
/// </summary>
internal static class VectorExp<TV, S>
    where TV : struct
    where S : struct, ISimd<TV>
{
    private const double Shifter = 6755399441055744.0;                 // 1.5·2⁵²: adding it rounds to an integer
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 6.93147180369123816490e-01;          // fdlibm's split of ln 2
    private const double Ln2Lo = 1.90821492927058770002e-10;

    /// <summary>e^x = 2ⁿ(1 + q): <paramref name="pow2"/> = 2ⁿ and <paramref name="q"/> = e^r − 1, kept apart so that
    /// tanh can form e^x − 1 without cancellation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ExpParts(TV x, out TV pow2, out TV q)
    {
        x = S.Min(S.Max(x, S.Broadcast(VectorExp.Lo)), S.Broadcast(VectorExp.Hi));
        TV y = S.Fma(x, S.Broadcast(Log2E), S.Broadcast(Shifter));
        TV n = S.Sub(y, S.Broadcast(Shifter));
        TV r = S.Fma(n, S.Broadcast(-Ln2Hi), x);
        r = S.Fma(n, S.Broadcast(-Ln2Lo), r);
        TV p = S.Broadcast(1.0 / 6227020800.0);                        // 1/13!
        p = S.Fma(p, r, S.Broadcast(1.0 / 479001600.0));
        p = S.Fma(p, r, S.Broadcast(1.0 / 39916800.0));
        p = S.Fma(p, r, S.Broadcast(1.0 / 3628800.0));
        p = S.Fma(p, r, S.Broadcast(1.0 / 362880.0));
        p = S.Fma(p, r, S.Broadcast(1.0 / 40320.0));
        p = S.Fma(p, r, S.Broadcast(1.0 / 5040.0));
        p = S.Fma(p, r, S.Broadcast(1.0 / 720.0));
        p = S.Fma(p, r, S.Broadcast(1.0 / 120.0));
        p = S.Fma(p, r, S.Broadcast(1.0 / 24.0));
        p = S.Fma(p, r, S.Broadcast(1.0 / 6.0));
        p = S.Fma(p, r, S.Broadcast(0.5));
        q = S.Fma(S.Mul(r, r), p, r);                                  // r + r²(1/2 + r/6 + …)
        pow2 = S.Pow2FromShifted(y);
    }

    /// <summary>e^x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp(TV x)
    {
        ExpParts(x, out var pow2, out var q);
        return S.Fma(pow2, q, pow2);
    }
}
