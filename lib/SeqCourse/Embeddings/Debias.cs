using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>How Debias.BiasDirection turns definitional pairs into one direction g.</summary>
public enum BiasDirectionMethod
{
    /// <summary>g = mean over pairs of (e_second − e_first), e.g. e_woman − e_man for one pair.</summary>
    Difference,
    /// <summary>
    /// Bolukbasi et al. 2016: centre each pair on its mean, stack the centred vectors, and take the
    /// first principal component (unit length), oriented like the mean difference.
    /// </summary>
    PrincipalComponent,
}

/// <summary>
/// Hard debiasing of word vectors (Bolukbasi et al. 2016; syllabus §2.7, §3.10): find the bias
/// direction g, <see cref="Neutralize"/> words that should not carry it, and <see cref="Equalize"/>
/// pairs that should differ only along it.
/// </summary>
public static class Debias
{
    /// <summary>
    /// The bias direction of definitional pairs (first, second), e.g. (man, woman), (he, she).
    /// <see cref="BiasDirectionMethod.Difference"/> returns the mean difference (not normalised, as in
    /// the syllabus' e_woman − e_man); <see cref="BiasDirectionMethod.PrincipalComponent"/> a unit vector.
    /// </summary>
    public static Vector<double> BiasDirection(IReadOnlyList<(Vector<double> First, Vector<double> Second)> pairs,
        BiasDirectionMethod method = BiasDirectionMethod.Difference)
    {
        Guard.NotNull(pairs, nameof(pairs));
        if (pairs.Count == 0) throw new ArgumentException("pairs must hold at least one definitional pair but is empty.", nameof(pairs));
        int n = Guard.NotNull(pairs[0].First, "pairs[0].First").Count;
        for (int i = 0; i < pairs.Count; i++)
        {
            if (pairs[i].First?.Count != n || pairs[i].Second?.Count != n)
                throw new ArgumentException($"pairs[{i}] must hold two vectors of {n} entries.", nameof(pairs));
        }
        var diff = Vector<double>.Build.Dense(n);
        foreach (var (a, b) in pairs) diff += b - a;
        diff /= pairs.Count;
        if (method == BiasDirectionMethod.Difference) return diff;

        // Rows of C are e − μ for both words of each pair; the first right singular vector of C is the PC.
        var C = Matrix<double>.Build.Dense(2 * pairs.Count, n);
        for (int i = 0; i < pairs.Count; i++)
        {
            var mu = (pairs[i].First + pairs[i].Second) / 2;
            C.SetRow(2 * i, pairs[i].First - mu);
            C.SetRow(2 * i + 1, pairs[i].Second - mu);
        }
        var g = C.Svd(computeVectors: true).VT.Row(0);
        return g.DotProduct(diff) < 0 ? -g : g;
    }

    /// <summary>The bias directions of word pairs looked up in <paramref name="vectors"/>.</summary>
    public static Vector<double> BiasDirection(WordVectors vectors, IReadOnlyList<(string First, string Second)> pairs,
        BiasDirectionMethod method = BiasDirectionMethod.Difference)
    {
        Guard.NotNull(vectors, nameof(vectors)); Guard.NotNull(pairs, nameof(pairs));
        return BiasDirection(pairs.Select(p => (vectors[p.First], vectors[p.Second])).ToArray(), method);
    }

    /// <summary>e_B = (e·g/‖g‖²) g, the component of e along g.</summary>
    public static Vector<double> ProjectOnto(Vector<double> e, Vector<double> g)
    {
        CheckPair(e, g);
        return g * (e.DotProduct(g) / g.DotProduct(g));
    }

    /// <summary>The signed length of e along g: e·g/‖g‖ (what the debiasing bar plots show).</summary>
    public static double Projection(Vector<double> e, Vector<double> g)
    {
        CheckPair(e, g);
        return e.DotProduct(g) / g.L2Norm();
    }

    /// <summary>Neutralise: e ← e − e_B, which leaves e orthogonal to g (e.g. for "doctor", "nurse").</summary>
    public static Vector<double> Neutralize(Vector<double> e, Vector<double> g) => e - ProjectOnto(e, g);

    /// <summary>
    /// Equalise a pair (e.g. actor/actress), the published form of Bolukbasi et al. 2016 (syllabus §3.10):
    /// μ = (e_w1 + e_w2)/2, μ_B = proj_g μ, ν = μ − μ_B, and for each w: e_w ← ν + √(1 − ‖ν‖²)(e_wB − μ_B)/‖e_wB − μ_B‖.
    /// Both results are unit vectors that share ν off the bias axis, so every vector orthogonal to g is
    /// equally far from both. The inputs should be unit vectors (‖ν‖ &lt; 1 is required).
    /// </summary>
    public static (Vector<double> W1, Vector<double> W2) Equalize(Vector<double> e1, Vector<double> e2, Vector<double> g)
    {
        CheckPair(e1, g); CheckPair(e2, g);
        var mu = (e1 + e2) / 2;
        var muB = ProjectOnto(mu, g);
        var nu = mu - muB;
        double nu2 = nu.DotProduct(nu);
        if (nu2 >= 1)
            throw new ArgumentException($"e1, e2 must be (near) unit vectors so that ‖ν‖ < 1, but ‖ν‖ = {Math.Sqrt(nu2)}.", nameof(e1));
        double scale = Math.Sqrt(1 - nu2);
        Vector<double> One(Vector<double> e, string name)
        {
            var d = ProjectOnto(e, g) - muB;
            double len = d.L2Norm();
            if (len == 0)
                throw new ArgumentException($"{name} has the same component along g as the pair's mean, so the pair has no bias axis to equalise.", name);
            return nu + d * (scale / len);
        }
        return (One(e1, nameof(e1)), One(e2, nameof(e2)));
    }

    private static void CheckPair(Vector<double> e, Vector<double> g)
    {
        Guard.NotNull(e, nameof(e)); Guard.NotNull(g, nameof(g));
        if (e.Count != g.Count) throw new ArgumentException($"e must have {g.Count} entries like g but has {e.Count}.", nameof(e));
        if (g.L2Norm() == 0) throw new ArgumentException("g must be a non-zero bias direction but is the zero vector.", nameof(g));
    }
}
