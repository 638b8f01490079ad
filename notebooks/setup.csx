// Shared set-up for every course notebook. The first cell of each notebook is exactly
//     #load "../setup.csx"
// The kernel already references the SeqCourse library, MathNet.Numerics and Plotly.NET.
// The usings are global so that they reach the notebook's own cells (plain usings of a #load'ed
// file stay inside that file).
global using System.Diagnostics;
global using SeqCourse;
global using MathNet.Numerics.LinearAlgebra;
global using Plotly.NET.CSharp;

/// <summary>
/// Axis titles, and optionally logarithmic axes, for a Plotly.NET chart. The axis type is only set for a log axis:
/// otherwise Plotly picks it from the data, so bar charts over words or labels keep their category axis.
/// </summary>
Plotly.NET.GenericChart Axes(Plotly.NET.GenericChart chart, string x, string y, bool logX = false, bool logY = false)
{
    chart = logX
        ? chart.WithXAxisStyle<double, double, string>(TitleText: x, AxisType: Plotly.NET.StyleParam.AxisType.Log)
        : chart.WithXAxisStyle<double, double, string>(TitleText: x);
    return logY
        ? chart.WithYAxisStyle<double, double, string>(TitleText: y, AxisType: Plotly.NET.StyleParam.AxisType.Log)
        : chart.WithYAxisStyle<double, double, string>(TitleText: y);
}
