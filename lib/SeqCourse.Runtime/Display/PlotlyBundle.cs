using System.Reflection;

namespace SeqCourse.Runtime;

/// <summary>
/// The plotly.js bundle that ships inside Plotly.NET.dll, so figures render with no network access.
/// The HTML exporter writes <see cref="Script"/> once per site; notebook outputs inline it once per session.
/// </summary>
public static class PlotlyBundle
{
    /// <summary>The plotly.js version bundled with Plotly.NET 6.</summary>
    public const string Version = "2.28.0";

    /// <summary>Name of the embedded resource in Plotly.NET.dll.</summary>
    public const string ResourceName = "Plotly.NET.plotly-" + Version + ".min.js";

    private static readonly Lazy<string> s_script = new(Load);
    private static readonly Lazy<string> s_defineOnce = new(() =>
        // Parameters named define/module/exports hide require.js (Jupyter Notebook) and CommonJS, so the UMD
        // bundle always sets window.Plotly; the guard keeps a second copy from redefining it.
        "if (typeof window.Plotly === 'undefined') { (function (define, module, exports) {\n"
        + Script.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)
        + "\n}).call(window); }");

    /// <summary>The minified plotly.js source.</summary>
    public static string Script => s_script.Value;

    /// <summary>JavaScript that defines <c>window.Plotly</c> once per page (even under require.js), safe to inline in a &lt;script&gt; element.</summary>
    public static string DefineOnceScript => s_defineOnce.Value;

    private static string Load()
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        using var stream = assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Resource '{ResourceName}' not found in {assembly.GetName().Name}; resources: {string.Join(", ", assembly.GetManifestResourceNames())}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
