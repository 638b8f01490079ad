using System.Runtime.CompilerServices;

// Tests read FastLinearAlgebraProvider's per-thread product counter to prove Math.NET routes products to Gemm.
[assembly: InternalsVisibleTo("SeqCourse.Tests")]
