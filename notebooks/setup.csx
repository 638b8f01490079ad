using SeqCourse;
using MathNet.Numerics.LinearAlgebra;
using Plotly.NET.CSharp;
