using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// What one GRU step keeps for its backward pass. For <see cref="GruVariant.ResetAfter"/>, <see cref="GammaU"/>
/// holds PyTorch's z (z = 1 keeps) and <see cref="HiddenCandidate"/> holds W_ch h + b_hn.
/// </summary>
public sealed record GruCache(
    GruParameters P,
    Matrix<double> X,               // x⟨t⟩ (n_x, m)
    Matrix<double> CPrev,           // h = c⟨t−1⟩ (n_a, m)
    Matrix<double> GammaU,          // Γ_u (n_a, m)
    Matrix<double>? GammaR,         // Γ_r (n_a, m), null for Simplified
    Matrix<double> CTilde,          // c̃⟨t⟩ (n_a, m)
    Matrix<double> C,               // c⟨t⟩ = a⟨t⟩ (n_a, m)
    Matrix<double>? HiddenCandidate);

/// <summary>
/// One GRU step, forward and backward (syllabus 1.8, §3.1). Shapes: x (n_x, m), c⟨t−1⟩ and c⟨t⟩ (n_a, m);
/// in the GRU the hidden state a⟨t⟩ is the memory cell c⟨t⟩. The variant comes from the parameters.
/// </summary>
public static class GruCell
{
    /// <summary>
    /// c⟨t⟩ from x⟨t⟩ and c⟨t−1⟩. Lecture: reset before the product; Simplified: Γ_r ≡ 1;
    /// ResetAfter: PyTorch's equations (see <see cref="GruVariant"/>).
    /// </summary>
    public static (Matrix<double> C, GruCache Cache) Forward(Matrix<double> x, Matrix<double> cPrev, GruParameters p)
    {
        Guard.NotNull(p, nameof(p));
        Guard.NotNull(x, nameof(x));
        Guard.Rows(x, p.InputSize, nameof(x));
        Guard.Shape(cPrev, p.HiddenSize, x.ColumnCount, nameof(cPrev));
        Guard.Finite(x, nameof(x)); Guard.Finite(cPrev, nameof(cPrev));
        return ForwardUnchecked(x, cPrev, p);
    }

    /// <summary>
    /// The same step with the variant stated explicitly (as in the exercise <c>GruCellForward(x, cPrev, p, variant)</c>);
    /// throws if <paramref name="variant"/> is not the variant the parameters were made for.
    /// </summary>
    public static (Matrix<double> C, GruCache Cache) Forward(Matrix<double> x, Matrix<double> cPrev, GruParameters p, GruVariant variant)
    {
        Guard.NotNull(p, nameof(p));
        if (variant != p.Variant)
            throw new ArgumentException($"variant must be {p.Variant} (the variant of p) but is {variant}.", nameof(variant));
        return Forward(x, cPrev, p);
    }

    internal static (Matrix<double> C, GruCache Cache) ForwardUnchecked(Matrix<double> x, Matrix<double> cPrev, GruParameters p)
    {
        var h = cPrev;
        var hx = GatedMath.Stack(h, x);                                          // [c⟨t−1⟩; x⟨t⟩]
        var GammaU = Activations.Sigmoid(GatedMath.AddBias(p.Wu * hx, p.bu));   // Γ_u (ResetAfter: z)
        Matrix<double>? GammaR = p.Wr is null ? null : Activations.Sigmoid(GatedMath.AddBias(p.Wr * hx, p.br!));

        Matrix<double> CTilde, C;
        Matrix<double>? hiddenCandidate = null;
        if (p.Variant == GruVariant.ResetAfter)
        {
            // n = tanh(W_cx x + b_in + r ⊙ (W_ch h + b_hn)): the reset gate scales the product, not its input.
            int na = p.HiddenSize;
            hiddenCandidate = GatedMath.AddBias(GatedMath.Cols(p.Wc, 0, na) * h, p.bhn!);
            var zn = GatedMath.AddBias(GatedMath.Cols(p.Wc, na, p.InputSize) * x, p.bc) + GammaR!.PointwiseMultiply(hiddenCandidate);
            CTilde = Activations.Tanh(zn);
            // h′ = (1 − z) ⊙ n + z ⊙ h: z = 1 keeps the old state.
            C = CTilde + GammaU.PointwiseMultiply(h - CTilde);
        }
        else
        {
            // c̃ = tanh(W_c [Γ_r ⊙ c⟨t−1⟩; x⟨t⟩] + b_c): the reset gate scales c⟨t−1⟩ before the product.
            var rx = GammaR is null ? hx : GatedMath.Stack(GammaR.PointwiseMultiply(h), x);
            CTilde = Activations.Tanh(GatedMath.AddBias(p.Wc * rx, p.bc));
            // c⟨t⟩ = Γ_u ⊙ c̃ + (1 − Γ_u) ⊙ c⟨t−1⟩: Γ_u = 1 writes the candidate.
            C = h + GammaU.PointwiseMultiply(CTilde - h);
        }
        return (C, new GruCache(p, x, cPrev, GammaU, GammaR, CTilde, C, hiddenCandidate));
    }

    /// <summary>
    /// Back-propagates one step. <paramref name="dc"/> is the total gradient reaching c⟨t⟩ (n_a, m): from the
    /// layer above at t plus dcPrev of step t+1. Returns ∂J/∂x⟨t⟩, ∂J/∂c⟨t−1⟩ and this step's parameter gradients.
    /// </summary>
    public static (Matrix<double> dx, Matrix<double> dcPrev, GruGradients Grads) Backward(Matrix<double> dc, GruCache cache)
    {
        Guard.NotNull(cache, nameof(cache));
        Guard.Shape(dc, cache.C.RowCount, cache.C.ColumnCount, nameof(dc));
        Guard.Finite(dc, nameof(dc));
        var g = cache.P.ZeroGradients();
        var (dx, dcPrev) = BackwardInto(dc, cache, g);
        return (dx, dcPrev, g);
    }

    /// <summary>Backward that adds the parameter gradients into <paramref name="g"/> (used by the sequence loop).</summary>
    internal static (Matrix<double> dx, Matrix<double> dcPrev) BackwardInto(Matrix<double> dc, GruCache cache, GruGradients g)
    {
        return cache.P.Variant == GruVariant.ResetAfter ? BackwardResetAfter(dc, cache, g) : BackwardLecture(dc, cache, g);
    }

    // Syllabus 1.8, line by line; h = c⟨t−1⟩, hx = [h; x], rx = [Γ_r ⊙ h; x]. Simplified: Γ_r ≡ 1, no Γ_r terms.
    private static (Matrix<double>, Matrix<double>) BackwardLecture(Matrix<double> dc, GruCache k, GruGradients g)
    {
        var p = k.P; int na = p.HiddenSize, nx = p.InputSize;
        var h = k.CPrev; var x = k.X;
        var hx = GatedMath.Stack(h, x);
        var rx = k.GammaR is null ? hx : GatedMath.Stack(k.GammaR.PointwiseMultiply(h), x);

        var dCTilde = dc.PointwiseMultiply(k.GammaU);                 // dc̃ = dc ⊙ Γ_u
        var dGammaU = dc.PointwiseMultiply(k.CTilde - h);             // dΓ_u = dc ⊙ (c̃ − h)
        var dh = dc - dc.PointwiseMultiply(k.GammaU);                 // dh = dc ⊙ (1 − Γ_u)

        var dzc = dCTilde.PointwiseMultiply(Activations.TanhGradFromOutput(k.CTilde));   // dz_c = dc̃ ⊙ (1 − c̃²)
        g.dWc.Add(dzc * rx.Transpose(), g.dWc);                                         // dW_c = dz_c rxᵀ
        g.dbc.Add(GatedMath.SumColumns(dzc), g.dbc);
        var drx = p.Wc.TransposeThisAndMultiply(dzc);                                   // [drh; dx] = W_cᵀ dz_c
        var drh = GatedMath.Rows(drx, 0, na);
        var dx = GatedMath.Rows(drx, na, nx);

        var dzu = dGammaU.PointwiseMultiply(Activations.SigmoidGradFromOutput(k.GammaU)); // dz_u = dΓ_u ⊙ Γ_u(1 − Γ_u)
        g.dWu.Add(dzu * hx.Transpose(), g.dWu);
        g.dbu.Add(GatedMath.SumColumns(dzu), g.dbu);
        var dhx = p.Wu.TransposeThisAndMultiply(dzu);                                   // W_uᵀ dz_u

        if (k.GammaR is null)
        {
            dh += drh;                                                                  // Γ_r ≡ 1: rx = hx
        }
        else
        {
            var dGammaR = drh.PointwiseMultiply(h);                                     // dΓ_r = drh ⊙ h
            dh += drh.PointwiseMultiply(k.GammaR);                                      // dh += drh ⊙ Γ_r
            var dzr = dGammaR.PointwiseMultiply(Activations.SigmoidGradFromOutput(k.GammaR));
            g.dWr!.Add(dzr * hx.Transpose(), g.dWr);
            g.dbr!.Add(GatedMath.SumColumns(dzr), g.dbr);
            dhx += p.Wr!.TransposeThisAndMultiply(dzr);                                 // + W_rᵀ dz_r
        }
        dh += GatedMath.Rows(dhx, 0, na);                                               // dh += dh_g
        dx += GatedMath.Rows(dhx, na, nx);                                              // dx += dx_g
        return (dx, dh);
    }

    // ResetAfter (derived here): hn = W_ch h + b_hn, n = tanh(W_cx x + b_c + r ⊙ hn), c = (1 − z) ⊙ n + z ⊙ h.
    private static (Matrix<double>, Matrix<double>) BackwardResetAfter(Matrix<double> dc, GruCache k, GruGradients g)
    {
        var p = k.P; int na = p.HiddenSize, nx = p.InputSize;
        var h = k.CPrev; var x = k.X; var z = k.GammaU; var r = k.GammaR!; var n = k.CTilde; var hn = k.HiddenCandidate!;
        var hx = GatedMath.Stack(h, x);

        var dn = dc - dc.PointwiseMultiply(z);                        // dn = dc ⊙ (1 − z)
        var dz = dc.PointwiseMultiply(h - n);                         // dz = dc ⊙ (h − n)
        var dh = dc.PointwiseMultiply(z);                             // dh = dc ⊙ z

        var dzn = dn.PointwiseMultiply(Activations.TanhGradFromOutput(n));   // dz_n = dn ⊙ (1 − n²)
        var dhn = dzn.PointwiseMultiply(r);                                   // d(W_ch h + b_hn) = dz_n ⊙ r
        var dr = dzn.PointwiseMultiply(hn);                                   // dr = dz_n ⊙ hn
        // dW_c = [dhn hᵀ, dz_n xᵀ]; db_c = Σ dz_n; db_hn = Σ dhn
        g.dWc.SetSubMatrix(0, 0, g.dWc.SubMatrix(0, na, 0, na) + dhn * h.Transpose());
        g.dWc.SetSubMatrix(0, na, g.dWc.SubMatrix(0, na, na, nx) + dzn * x.Transpose());
        g.dbc.Add(GatedMath.SumColumns(dzn), g.dbc);
        g.dbhn!.Add(GatedMath.SumColumns(dhn), g.dbhn);
        dh += GatedMath.Cols(p.Wc, 0, na).TransposeThisAndMultiply(dhn);      // W_chᵀ dhn
        var dx = GatedMath.Cols(p.Wc, na, nx).TransposeThisAndMultiply(dzn);  // W_cxᵀ dz_n

        var dzz = dz.PointwiseMultiply(Activations.SigmoidGradFromOutput(z));
        var dzr = dr.PointwiseMultiply(Activations.SigmoidGradFromOutput(r));
        g.dWu.Add(dzz * hx.Transpose(), g.dWu); g.dbu.Add(GatedMath.SumColumns(dzz), g.dbu);
        g.dWr!.Add(dzr * hx.Transpose(), g.dWr); g.dbr!.Add(GatedMath.SumColumns(dzr), g.dbr);
        var dhx = p.Wu.TransposeThisAndMultiply(dzz) + p.Wr!.TransposeThisAndMultiply(dzr);
        dh += GatedMath.Rows(dhx, 0, na);
        dx += GatedMath.Rows(dhx, na, nx);
        return (dx, dh);
    }
}
