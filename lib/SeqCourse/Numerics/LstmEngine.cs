using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace SeqCourse.Numerics;

/// <summary>Switches of the whole-sequence LSTM engine; <c>default</c> = automatic (tests force each path).</summary>
/// <param name="Simd">Instruction set of the packed products and cell kernels.</param>
/// <param name="MaxThreads">Threads per time step and for the stacked products; 0 = all cores, 1 = sequential.</param>
internal readonly record struct LstmEngineOptions(SimdLevel Simd = SimdLevel.Auto, int MaxThreads = 0);

/// <summary>
/// What <see cref="Lstm.Forward(IReadOnlyList{Matrix{double}}, LstmParameters, Matrix{double}?, Matrix{double}?)"/>
/// keeps of a whole sequence for the backward pass: the activated gates of every step stacked in one block, and the
/// states a⟨0…T⟩, c⟨0…T⟩ (the matrices it returns). Per-step <see cref="LstmCache"/> objects are views of it.
/// </summary>
internal sealed class LstmSequence
{
    public LstmSequence(LstmParameters p, Matrix<double> w, Matrix<double> b, Matrix<double>[] xs,
        Matrix<double>[] a, Matrix<double>[] c, LstmEngineOptions options)
    {
        P = p; W = w; B = b; Xs = xs; A = a; C = c; Options = options;
        Na = p.HiddenSize; Nx = p.InputSize; M = xs[0].ColumnCount; T = xs.Length;
        Gates = new double[T][];
        for (int t = 0; t < T; t++) Gates[t] = GC.AllocateUninitializedArray<double>(4 * Na * M);
    }

    public LstmParameters P { get; }
    /// <summary>Fused W (4n_a, n_a + n_x) = [W_a | W_x] with gate blocks [u; f; c; o].</summary>
    public Matrix<double> W { get; }
    /// <summary>Fused b (4n_a, 1).</summary>
    public Matrix<double> B { get; }
    /// <summary>x⟨1…T⟩ as given.</summary>
    public Matrix<double>[] Xs { get; }
    /// <summary>a⟨0⟩ … a⟨T⟩ (T + 1 matrices, (n_a, m)).</summary>
    public Matrix<double>[] A { get; }
    /// <summary>c⟨0⟩ … c⟨T⟩.</summary>
    public Matrix<double>[] C { get; }
    public LstmEngineOptions Options { get; }
    public int Na { get; }
    public int Nx { get; }
    public int M { get; }
    public int T { get; }
    /// <summary>
    /// Per step t a (4n_a, m) column-major block [Γ_u; Γ_f; c̃; Γ_o]. One array per step rather than one for the
    /// sequence: for the course's sizes these stay below the large-object threshold and die young with the caches.
    /// </summary>
    public double[][] Gates { get; }

    /// <summary>A dense (rows, cols) matrix whose storage is not zeroed: for outputs the engine writes in full.</summary>
    public static Matrix<double> Uninitialized(int rows, int cols) => new DenseMatrix(rows, cols, GC.AllocateUninitializedArray<double>(rows * cols));

    /// <summary>Gate block <paramref name="block"/> (<see cref="LstmBlocks"/>) of step t as a new (n_a, m) matrix.</summary>
    public Matrix<double> Gate(int t, int block)
    {
        var r = new double[Na * M];
        for (int j = 0; j < M; j++)
        {
            Array.Copy(Gates[t], (long)j * 4 * Na + block * Na, r, (long)j * Na, Na);
        }
        return new DenseMatrix(Na, M, r);
    }
}

/// <summary>
/// The whole-sequence LSTM forward and backward (syllabus 1.9) arranged for speed, the same equations as
/// <see cref="LstmCell"/>:
/// <list type="bullet">
/// <item>the input half of every gate product, W_x·x⟨t⟩, is one GEMM over all steps stacked side by side
/// (4n_a × n_x times n_x × m·T) before the time loop;</item>
/// <item>only W_a·a⟨t−1⟩ is done step by step, with W_a packed once per sequence (<see cref="PackedLeft"/>);</item>
/// <item>each step is split over threads by hidden units: a thread computes the rows of all four gate blocks for
/// its units and then runs the fused cell kernel (<see cref="LstmKernels"/>) on them;</item>
/// <item>backward mirrors it with W_aᵀ and W_xᵀ packed once: per step da⟨t⟩ += W_aᵀ dz⟨t+1⟩ and dx⟨t+1⟩ = W_xᵀ dz⟨t+1⟩
/// share one packing of dz⟨t+1⟩; the gradients of W (and of b, through a row of ones) are one GEMM over the
/// stacked gate gradients after the loop.</item>
/// </list>
/// Workspaces are per thread and reused, so the time loops allocate nothing but the per-step Parallel.For.
/// </summary>
internal sealed unsafe class LstmEngine
{
    /// <summary>From this many multiply-adds per step (4n_a·n_a·m) a step is split over threads.</summary>
    public const long ParallelStepWork = 1L << 21;

    [ThreadStatic] private static LstmEngine? t_current;

    private readonly PackedLeft _w = new(), _wx = new();
    private readonly PackedRight _b = new();
    // _z holds the pre-activations z⟨1…T⟩ during Forward and the gate gradients dz⟨1…T⟩ during Backward (never both
    // at once on one thread), so the largest workspace exists once.
    private double[] _x = [], _z = [], _dwb = [], _s = [], _da = [], _dc = [], _dp = [];
    private readonly Action<int> _forwardChunk, _backwardChunk;
    private readonly ParallelOptions _parallel = new();

    // State of the step being run, read by the chunk bodies.
    private LstmSequence _seq = null!;
    private int _t, _chunkUnits, _aChunks, _xChunkRows;
    private Matrix<double>[] _dX = null!;
    private bool _withProduct;
    private double[]? _dcExtra;
    private SimdLevel _level;

    private LstmEngine()
    {
        _forwardChunk = ForwardChunk;
        _backwardChunk = BackwardChunk;
    }

    /// <summary>This thread's engine (its workspaces are reused by every call on the thread).</summary>
    public static LstmEngine ForCurrentThread() => t_current ??= new LstmEngine();

    /// <summary>Fills s.Gates and s.A[1…T], s.C[1…T] from s.Xs, s.A[0], s.C[0].</summary>
    public void Forward(LstmSequence s)
    {
        int na = s.Na, nx = s.Nx, m = s.M, T = s.T, ld = 4 * na, mT = m * T;
        var gemm = new GemmOptions(s.Options.Simd, GemmStrategy.Auto, s.Options.MaxThreads);
        _seq = s; _level = Gemm.Resolve(s.Options.Simd);
        // X = [x⟨1⟩ … x⟨T⟩] side by side (n_x, m·T).
        Ensure(ref _x, nx * mT);
        for (int t = 0; t < T; t++) Values(s.Xs[t]).AsSpan(0, nx * m).CopyTo(_x.AsSpan(t * nx * m));
        var w = Values(s.W);
        // Z_x = W_x·X for all steps at once: the columns n_a… of the fused W are W_x.
        Ensure(ref _z, ld * mT);
        Gemm.Compute(GemmOp.N, GemmOp.N, ld, mT, nx, 1.0, w.AsSpan(na * ld), ld, _x, nx, 0.0, _z, ld, gemm);
        fixed (double* pw = w) _w.Pack(pw, ld, false, 4, na, na, _level);      // W_a, gate blocks as row groups
        int chunks = Chunks(na, m, s.Options);
        for (int t = 0; t < T; t++)
        {
            fixed (double* aPrev = Values(s.A[t])) _b.Pack(aPrev, na, false, na, m);
            _t = t;
            Run(chunks, s.Options, _forwardChunk);
        }
        _seq = null!;
    }

    private void ForwardChunk(int chunk)
    {
        var s = _seq;
        int na = s.Na, m = s.M, ld = 4 * na;
        int h0 = chunk * _chunkUnits, h1 = Math.Min(na, h0 + _chunkUnits);
        var p = s.P;
        fixed (double* z0 = _z, g = s.Gates[_t], bias = Values(s.B), cPrev = Values(s.C[_t]), c = Values(s.C[_t + 1]), a = Values(s.A[_t + 1]),
               pf = p.pf is null ? null : Values(p.pf), pu = p.pu is null ? null : Values(p.pu), po = p.po is null ? null : Values(p.po))
        {
            double* z = z0 + (long)_t * m * ld;
            // z⟨t⟩ += W_a·a⟨t−1⟩ for the rows of these units in each gate block.
            for (int k = 0; k < 4; k++) _w.MultiplyAdd(k, h0, h1, _b, z + k * na + h0, ld);
            LstmKernels.Forward(_level, h0, h1, m, na, z, g, ld, bias, cPrev, c, a, pf, pu, po);
        }
    }

    /// <summary>
    /// BPTT over the sequence. dA[t], dC[t] (or null entries / lists) are the gradients from above. Returns
    /// ∂J/∂x⟨t⟩, ∂J/∂a⟨0⟩, ∂J/∂c⟨0⟩ and the gradients of the named parameters.
    /// </summary>
    public (Matrix<double>[] dX, Matrix<double> dA0, Matrix<double> dC0, LstmGradients Grads) Backward(LstmSequence s,
        IReadOnlyList<Matrix<double>?> dA, IReadOnlyList<Matrix<double>?>? dC)
    {
        int na = s.Na, nx = s.Nx, m = s.M, T = s.T, ld = 4 * na, mT = m * T, nam = na * m;
        var gemm = new GemmOptions(s.Options.Simd, GemmStrategy.Auto, s.Options.MaxThreads);
        bool peep = s.P.HasPeepholes;
        var dX = new Matrix<double>[T];
        for (int t = 0; t < T; t++) dX[t] = new DenseMatrix(nx, m);
        BackwardSteps(s, dA, dC, dX);
        var dA0 = _da.AsSpan(0, nam).ToArray();
        var dC0 = _dc.AsSpan(0, nam).ToArray();

        // dW = Σ_t dz⟨t⟩ [a⟨t−1⟩; x⟨t⟩]ᵀ and db = Σ_t dz⟨t⟩·1: one product with S = [a⟨t−1⟩; x⟨t⟩; 1] stacked over all steps.
        int rs = na + nx + 1;
        Ensure(ref _s, rs * mT);
        for (int t = 0; t < T; t++)
        {
            var aPrev = Values(s.A[t]); var x = Values(s.Xs[t]);
            for (int j = 0; j < m; j++)
            {
                int col = (t * m + j) * rs;
                Array.Copy(aPrev, j * na, _s, col, na);
                Array.Copy(x, j * nx, _s, col + na, nx);
                _s[col + na + nx] = 1.0;
            }
        }
        // One product for all gates into a reused workspace (4n_a, n_a + n_x + 1), then split into the named
        // gradients: rows k·n_a… of the first n_a + n_x columns are dW_k, of the last column (the row of ones) db_k.
        Ensure(ref _dwb, ld * rs);
        Gemm.Compute(GemmOp.N, GemmOp.T, ld, rs, mT, 1.0, _z, ld, _s, rs, 0.0, _dwb, ld, gemm);
        var dWk = new Matrix<double>[4];
        var dbk = new Matrix<double>[4];
        for (int k = 0; k < 4; k++)
        {
            var dw = new double[na * (na + nx)];
            for (int j = 0; j < na + nx; j++) Array.Copy(_dwb, j * ld + k * na, dw, j * na, na);
            dWk[k] = new DenseMatrix(na, na + nx, dw);
            dbk[k] = new DenseMatrix(na, 1, _dwb.AsSpan((na + nx) * ld + k * na, na).ToArray());
        }

        Matrix<double>? P(int k) => peep ? new DenseMatrix(na, 1, _dp.AsSpan(k * na, na).ToArray()) : null;
        const int U = LstmBlocks.U, F = LstmBlocks.F, C = LstmBlocks.C, O = LstmBlocks.O;
        var grads = new LstmGradients(dWk[F], dbk[F], dWk[U], dbk[U], dWk[C], dbk[C], dWk[O], dbk[O], P(0), P(1), P(2));
        return (dX, new DenseMatrix(na, m, dA0), new DenseMatrix(na, m, dC0), grads);
    }

    /// <summary>
    /// The time loop of <see cref="Backward"/>: fills the gate gradients dz⟨1…T⟩ (workspace) and adds
    /// ∂J/∂x⟨t⟩ = W_xᵀ dz⟨t⟩ into dX[t] (zero on entry), then leaves ∂J/∂a⟨0⟩
    /// in <c>_da</c>, ∂J/∂c⟨0⟩ in <c>_dc</c> and the peephole gradients in <c>_dp</c>. Allocates nothing once the
    /// workspaces have grown (sequential; the parallel steps allocate Parallel.For's small objects).
    /// </summary>
    internal void BackwardSteps(LstmSequence s, IReadOnlyList<Matrix<double>?> dA, IReadOnlyList<Matrix<double>?>? dC,
        Matrix<double>[] dX)
    {
        int na = s.Na, nx = s.Nx, m = s.M, T = s.T, ld = 4 * na, mT = m * T, nam = na * m;
        _seq = s; _level = Gemm.Resolve(s.Options.Simd);
        Ensure(ref _z, ld * mT);
        Ensure(ref _da, nam);
        Ensure(ref _dc, nam);
        Ensure(ref _dp, 3 * na);
        Array.Clear(_dc, 0, nam);
        Array.Clear(_dp, 0, 3 * na);
        fixed (double* pw = Values(s.W))
        {
            _w.Pack(pw, ld, true, 1, na, ld, _level);                  // W_aᵀ (n_a, 4n_a)
            _wx.Pack(pw + (long)na * ld, ld, true, 1, nx, ld, _level); // W_xᵀ (n_x, 4n_a)
        }
        _dX = dX;
        int chunks = Chunks(na, m, s.Options);
        // Extra chunks for dx: with dz⟨t+1⟩ packed for W_aᵀ dz⟨t+1⟩, the rows W_xᵀ dz⟨t+1⟩ = ∂J/∂x⟨t+1⟩ reuse it.
        _xChunkRows = chunks == 1 ? nx : _chunkUnits;
        _aChunks = chunks;
        int xChunks = (nx + _xChunkRows - 1) / _xChunkRows;
        for (int t = T - 1; t >= 0; t--)
        {
            // da⟨t⟩ = (from above) + W_aᵀ dz⟨t+1⟩; the product is added per chunk.
            if (dA[t] is { } up) Values(up).AsSpan(0, nam).CopyTo(_da);
            else Array.Clear(_da, 0, nam);
            _withProduct = t < T - 1;
            if (_withProduct)
            {
                fixed (double* dz = _z) _b.Pack(dz + (long)(t + 1) * m * ld, ld, false, ld, m);
            }
            _dcExtra = dC?[t] is { } upc ? Values(upc) : null;
            _t = t;
            Run(chunks == 1 || !_withProduct ? chunks : chunks + xChunks, s.Options, _backwardChunk);
        }
        // ∂J/∂a⟨0⟩ = W_aᵀ dz⟨1⟩ and ∂J/∂x⟨1⟩ = W_xᵀ dz⟨1⟩; ∂J/∂c⟨0⟩ is what the last kernel left in dc.
        Array.Clear(_da, 0, nam);
        fixed (double* dz = _z, pa0 = _da, dx0 = Values(dX[0]))
        {
            _b.Pack(dz, ld, false, ld, m);
            _w.MultiplyAdd(0, 0, na, _b, pa0, na);
            _wx.MultiplyAdd(0, 0, nx, _b, dx0, nx);
        }
        _dcExtra = null;
        _dX = null!;
        _seq = null!;
    }

    private void BackwardChunk(int chunk)
    {
        var s = _seq;
        int na = s.Na, nx = s.Nx, m = s.M, ld = 4 * na;
        if (chunk >= _aChunks)
        {
            // ∂J/∂x⟨t+1⟩ rows r0…r1 = W_xᵀ dz⟨t+1⟩.
            int r0 = (chunk - _aChunks) * _xChunkRows, r1 = Math.Min(nx, r0 + _xChunkRows);
            fixed (double* dx = Values(_dX[_t + 1])) _wx.MultiplyAdd(0, r0, r1, _b, dx + r0, nx);
            return;
        }
        int h0 = chunk * _chunkUnits, h1 = Math.Min(na, h0 + _chunkUnits);
        var p = s.P;
        bool peep = p.HasPeepholes;
        fixed (double* g = s.Gates[_t], dg0 = _z, cPrev = Values(s.C[_t]), c = Values(s.C[_t + 1]), da = _da, dc = _dc,
               dcx = _dcExtra, dp = _dp,
               pf = peep ? Values(p.pf!) : null, pu = peep ? Values(p.pu!) : null, po = peep ? Values(p.po!) : null)
        {
            if (_withProduct)
            {
                _w.MultiplyAdd(0, h0, h1, _b, da + h0, na);   // da⟨t⟩ += W_aᵀ dz⟨t+1⟩ (these units)
                if (_aChunks == 1)
                {
                    fixed (double* dx = Values(_dX[_t + 1])) _wx.MultiplyAdd(0, 0, nx, _b, dx, nx);
                }
            }
            long off = (long)_t * m * ld;
            LstmKernels.Backward(_level, h0, h1, m, na, g, dg0 + off, ld, cPrev, c, da, dc, dcx,
                pf, pu, po, peep ? dp : null, peep ? dp + na : null, peep ? dp + 2 * na : null);
        }
    }

    /// <summary>Chooses the hidden-unit chunk size (a multiple of the kernel's sliver rows) and returns the count.</summary>
    private int Chunks(int na, int m, LstmEngineOptions options)
    {
        int threads = options.MaxThreads > 0 ? options.MaxThreads : Environment.ProcessorCount;
        long work = 4L * na * na * m;
        int mr = PackedLeft.SliverRows(_level);
        if (threads <= 1 || work < ParallelStepWork)
        {
            _chunkUnits = na;
            return 1;
        }
        // About four chunks per thread: a descheduled thread (a loaded machine) leaves its chunks to the others.
        int per = (na + 4 * threads - 1) / (4 * threads);
        _chunkUnits = Math.Max(mr, (per + mr - 1) / mr * mr);
        return (na + _chunkUnits - 1) / _chunkUnits;
    }

    private void Run(int chunks, LstmEngineOptions options, Action<int> body)
    {
        if (chunks == 1)
        {
            body(0);
            return;
        }
        _parallel.MaxDegreeOfParallelism = options.MaxThreads > 0 ? options.MaxThreads : Environment.ProcessorCount;
        Parallel.For(0, chunks, _parallel, body);
    }

    private static void Ensure(ref double[] buffer, int length)
    {
        if (buffer.Length < length) buffer = GC.AllocateUninitializedArray<double>(length);
    }

    private static double[] Values(Matrix<double> m) => m is DenseMatrix d ? d.Values : m.ToColumnMajorArray();
}
