global using SeqCourse;
global using MathNet.Numerics.LinearAlgebra;
global using Plotly.NET.CSharp;
