namespace SeqCourse;

/// <summary>Thrown when the loss or a gradient becomes NaN or ±∞ (an exploding gradient); names the step and the culprit.</summary>
public sealed class TrainingDivergedException(int step, string quantity, double value)
    : Exception($"Training diverged at step {step}: {quantity} is {value}. Try a smaller learning rate or gradient clipping.")
{
    /// <summary>The step (0-based) at which it happened.</summary>
    public int Step { get; } = step;

    /// <summary>"loss" or the name of the gradient (e.g. "dWaa[2, 0]").</summary>
    public string Quantity { get; } = quantity;

    /// <summary>The offending value.</summary>
    public double Value { get; } = value;
}

/// <summary>What the progress callback sees after a step.</summary>
public readonly record struct TrainingProgress(int Step, int TotalSteps, double Loss, double SmoothedLoss, double? GradientNorm);

/// <summary>The outcome of <see cref="Trainer.Run"/>.</summary>
public sealed record TrainingResult(IReadOnlyList<double> Losses, IReadOnlyList<double> SmoothedLosses, int StepsDone, bool Cancelled)
{
    /// <summary>The last smoothed loss (or NaN if no step ran).</summary>
    public double FinalSmoothedLoss => SmoothedLosses.Count == 0 ? double.NaN : SmoothedLosses[^1];
}

/// <summary>
/// A small training loop: call a step function that returns (loss, gradients), check them for NaN/∞, clip,
/// update with the optimizer, record the loss and a smoothed loss (min-char-rnn's
/// smooth ← β smooth + (1 − β) loss, starting at the first loss).
/// </summary>
public sealed class Trainer
{
    /// <summary>A trainer for <paramref name="parameters"/> (updated in place) with <paramref name="optimizer"/>.</summary>
    public Trainer(IParameterSet parameters, IOptimizer optimizer)
    {
        Parameters = Guard.NotNull(parameters, nameof(parameters));
        Optimizer = Guard.NotNull(optimizer, nameof(optimizer));
    }

    /// <summary>The parameters being trained.</summary>
    public IParameterSet Parameters { get; }

    /// <summary>The optimizer.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>Clip every gradient entry to [−N, N] before the update (§3.5), or null.</summary>
    public double? ClipValue { get; init; }

    /// <summary>Clip the gradients to this global norm before the update (§3.5), or null.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>β of the smoothed loss (0.999 in min-char-rnn; lower for short runs).</summary>
    public double Smoothing { get; init; } = 0.99;

    /// <summary>Called after every <see cref="ProgressEvery"/>-th step and after the last one.</summary>
    public Action<TrainingProgress>? Progress { get; init; }

    /// <summary>A ready-made progress display: one line "step 1200/5000  loss 12.345  smoothed 13.210" on the console.</summary>
    public static Action<TrainingProgress> PrintProgress { get; } = p =>
        Console.WriteLine($"step {p.Step + 1,6}/{p.TotalSteps}  loss {p.Loss,9:F4}  smoothed {p.SmoothedLoss,9:F4}" +
                          (p.GradientNorm is { } n ? $"  ‖g‖ {n:F3}" : ""));

    /// <summary>How often <see cref="Progress"/> is called.</summary>
    public int ProgressEvery { get; init; } = 100;

    /// <summary>Loss of every step done so far (over all calls of <see cref="Run"/>).</summary>
    public List<double> Losses { get; } = [];

    /// <summary>Smoothed loss of every step done so far.</summary>
    public List<double> SmoothedLosses { get; } = [];

    /// <summary>
    /// Runs <paramref name="steps"/> steps. <paramref name="step"/>(i) computes the loss and gradients at the
    /// current parameters (gradients in the parameters' order). Throws <see cref="TrainingDivergedException"/>
    /// before updating if anything is NaN/∞. Cancellation stops cleanly after the current step and returns
    /// what was recorded (<see cref="TrainingResult.Cancelled"/> = true).
    /// </summary>
    public TrainingResult Run(Func<int, (double Loss, IParameterSet Grads)> step, int steps, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(step, nameof(step));
        Guard.Positive(steps, nameof(steps));
        int first = Losses.Count;
        int done = 0;
        for (int i = 0; i < steps; i++)
        {
            if (cancellationToken.IsCancellationRequested)
                return new TrainingResult(Losses.ToArray(), SmoothedLosses.ToArray(), done, true);
            int global = first + i;
            var (loss, grads) = step(global);
            Guard.NotNull(grads, nameof(grads));
            CheckFinite(global, loss, grads);
            double? norm = null;
            if (ClipNorm is { } theta) norm = Clipping.ByGlobalNorm(grads, theta);
            if (ClipValue is { } n) Clipping.ByValue(grads, n);
            Optimizer.Step(Parameters, grads);

            double smooth = SmoothedLosses.Count == 0 ? loss : Smoothing * SmoothedLosses[^1] + (1 - Smoothing) * loss;
            Losses.Add(loss);
            SmoothedLosses.Add(smooth);
            done++;
            if (Progress is { } report && ((i + 1) % ProgressEvery == 0 || i == steps - 1))
                report(new TrainingProgress(global, first + steps, loss, smooth, norm));
        }
        return new TrainingResult(Losses.ToArray(), SmoothedLosses.ToArray(), done, false);
    }

    /// <summary>Throws <see cref="TrainingDivergedException"/> naming the first NaN/∞ found (loss first, then gradients in order).</summary>
    public static void CheckFinite(int step, double loss, IParameterSet grads)
    {
        if (!double.IsFinite(loss)) throw new TrainingDivergedException(step, "loss", loss);
        foreach (var (name, g) in grads.Items)
        {
            var v = SeqCourse.Optimizer.ValuesOf(g, name);   // column-major
            for (int k = 0; k < v.Length; k++)
                if (!double.IsFinite(v[k]))
                    throw new TrainingDivergedException(step, $"{name}[{k % g.RowCount}, {k / g.RowCount}]", v[k]);
        }
    }
}
