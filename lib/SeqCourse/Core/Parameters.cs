using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>One named parameter or gradient, e.g. ("Waa", W_aa) or ("dWaa", dW_aa).</summary>
public readonly record struct NamedMatrix(string Name, Matrix<double> Value);

/// <summary>
/// A set of named matrices: a model's parameters, or its gradients in the same order.
/// Optimizers, clipping and gradient checks walk this list, so they work for every model.
/// </summary>
public interface IParameterSet
{
    /// <summary>The matrices in a fixed order; gradient sets use the same order with a "d" prefix.</summary>
    IReadOnlyList<NamedMatrix> Items { get; }
}

/// <summary>Helpers for any <see cref="IParameterSet"/>.</summary>
public static class ParameterSet
{
    /// <summary>Total number of scalar entries (the parameter count of a model).</summary>
    public static int Count(this IParameterSet set) => set.Items.Sum(i => i.Value.RowCount * i.Value.ColumnCount);

    /// <summary>A plain list-backed set, for composing models out of parts.</summary>
    public static IParameterSet Of(params NamedMatrix[] items) => new ListSet(items);

    /// <summary>Concatenates sets, prefixing every name (e.g. "fwd." and "bwd." for a BRNN).</summary>
    public static IParameterSet Concat(params (string Prefix, IParameterSet Set)[] parts) =>
        new ListSet(parts.SelectMany(p => p.Set.Items.Select(i => new NamedMatrix(p.Prefix + i.Name, i.Value))).ToArray());

    /// <summary>Checks that <paramref name="grads"/> lines up with <paramref name="parameters"/> (count and shapes).</summary>
    public static void CheckMatches(IParameterSet parameters, IParameterSet grads)
    {
        var p = parameters.Items; var g = grads.Items;
        if (p.Count != g.Count)
            throw new ArgumentException($"grads must have {p.Count} matrices like the parameters but has {g.Count}.", nameof(grads));
        for (int i = 0; i < p.Count; i++)
            if (p[i].Value.RowCount != g[i].Value.RowCount || p[i].Value.ColumnCount != g[i].Value.ColumnCount)
                throw new ArgumentException(
                    $"grads item {i} ({g[i].Name}) must have shape ({p[i].Value.RowCount}, {p[i].Value.ColumnCount}) like " +
                    $"{p[i].Name} but has shape ({g[i].Value.RowCount}, {g[i].Value.ColumnCount}).", nameof(grads));
    }

    private sealed record ListSet(IReadOnlyList<NamedMatrix> Items) : IParameterSet;
}
