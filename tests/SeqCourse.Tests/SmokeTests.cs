namespace SeqCourse.Tests;
public class SmokeTests { [Fact] public void MathNetLoads() => Assert.Equal(2.0, MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(2, 1.0).Sum()); }
