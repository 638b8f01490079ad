using MathNet.Numerics.LinearAlgebra;

namespace SeqCourse;

/// <summary>
/// A recurrent layer seen from outside: a sequence of inputs x⟨1…T⟩ in, a sequence of hidden states
/// a⟨1…T⟩ out. The vanilla RNN, the GRU and the LSTM all implement it, so the bidirectional and deep
/// wrappers (syllabus §3.3, §3.4) work over any of them. Initial states are zero.
/// </summary>
public interface IRecurrentLayer
{
    /// <summary>n_x: rows of every x⟨t⟩.</summary>
    int InputSize { get; }

    /// <summary>n_a: rows of every a⟨t⟩.</summary>
    int HiddenSize { get; }

    /// <summary>The layer's parameters (the same matrices the layer computes with, not copies).</summary>
    IParameterSet Parameters { get; }

    /// <summary>Runs t = 1…T. <paramref name="xs"/>[t] is (n_x, m).</summary>
    RecurrentOutput Forward(IReadOnlyList<Matrix<double>> xs);

    /// <summary>
    /// Back-propagates through time. <paramref name="dA"/>[t] is ∂J/∂a⟨t⟩ coming from above (n_a, m);
    /// an entry may be null when no loss reads that step. Returns ∂J/∂x⟨t⟩ and the parameter
    /// gradients, in the order of <see cref="Parameters"/>.
    /// </summary>
    RecurrentGradients Backward(IReadOnlyList<Matrix<double>?> dA, RecurrentOutput forward);
}

/// <summary>The hidden states a⟨1…T⟩ of a layer and whatever its backward pass needs.</summary>
public sealed record RecurrentOutput(Matrix<double>[] A, object Cache);

/// <summary>∂J/∂x⟨1…T⟩ and the parameter gradients of one layer.</summary>
public sealed record RecurrentGradients(Matrix<double>[] DX, IParameterSet Grads);
