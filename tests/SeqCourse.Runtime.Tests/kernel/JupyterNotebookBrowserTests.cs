using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Playwright;
using SeqCourse.Runtime.Tests.Runner;

namespace SeqCourse.Runtime.Tests.Kernel;

/// <summary>
/// A real client: Debian's classic Jupyter Notebook (6.4, with require.js and no Plotly extension) runs a course
/// notebook through the installed kernelspec in headless Chromium with every non-local request blocked. The
/// figures can only appear if the text/html fallback brings plotly.js itself.
/// </summary>
public class JupyterNotebookBrowserTests
{
    [Fact]
    public async Task Classic_notebook_runs_all_cells_without_errors_and_draws_the_plotly_figure_offline()
    {
        DebianPython.Require("notebook", "jupyter_client");
        Assert.True(File.Exists(TestSupport.Chromium), $"{TestSupport.Chromium} is missing: apt-get install chromium (the README's test command does).");
        var kernel = new InstalledKernel();
        var root = Path.Combine(kernel.Prefix, "notebooks");
        Directory.CreateDirectory(root);
        File.Copy(TestSupport.DemoNotebook, Path.Combine(root, "demo.ipynb"));

        var port = FreePort();
        var log = new StringBuilder();
        using var server = StartNotebookServer(kernel, root, port, log);
        try
        {
            await WaitForServer(port, server, log);
            var errors = new List<string>();
            var blocked = new List<string>();
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = TestSupport.Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            });
            var page = await browser.NewPageAsync();
            page.PageError += (_, error) => errors.Add(error);
            var local = $"http://127.0.0.1:{port}/";
            await page.RouteAsync("**/*", async route =>
            {
                var url = route.Request.Url;
                if (url.StartsWith(local, StringComparison.Ordinal) || url.StartsWith("ws://127.0.0.1:" + port, StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal) || url.StartsWith("blob:", StringComparison.Ordinal))
                {
                    await route.ContinueAsync();
                }
                else
                {
                    lock (blocked)
                    {
                        blocked.Add(url);
                    }

                    await route.AbortAsync();
                }
            });

            await page.GotoAsync(local + "notebooks/demo.ipynb", new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });
            await page.WaitForFunctionAsync(
                "() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()",
                null, new PageWaitForFunctionOptions { Timeout = 90_000, PollingInterval = 250 });
            Assert.Equal("seqcourse-csharp", await page.EvaluateAsync<string>("() => Jupyter.notebook.kernel.name"));

            await page.EvaluateAsync("() => Jupyter.notebook.execute_all_cells()");
            await page.WaitForFunctionAsync(
                "() => Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code').every(c => typeof c.input_prompt_number === 'number')",
                null, new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 250 });
            await page.WaitForSelectorAsync(".js-plotly-plot .main-svg", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 });

            var context = $"\npage errors: {string.Join(" | ", errors)}\nblocked: {string.Join(" ", blocked)}\nserver log:\n{log}";
            Assert.True(await page.Locator(".output_error").CountAsync() == 0, "a cell shows an error" + context);
            Assert.Equal(1, await page.Locator(".js-plotly-plot .scatterlayer .trace").CountAsync());
            Assert.Contains("sum = 5", await page.Locator(".output_stdout").First.InnerTextAsync());
            Assert.True(await page.Locator(".output_html table").CountAsync() >= 1, "the matrix is shown as a table" + context);
            Assert.True(errors.Count == 0, "the page has JavaScript errors" + context);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                server.WaitForExit();
            }
        }
    }

    private static Process StartNotebookServer(InstalledKernel kernel, string root, int port, StringBuilder log)
    {
        var start = new ProcessStartInfo(DebianPython.Executable)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-m", "notebook", "--no-browser", "--ip=127.0.0.1", $"--port={port}", "--port-retries=0",
            $"--notebook-dir={root}", "--NotebookApp.token=", "--NotebookApp.password=", "--NotebookApp.disable_check_xsrf=True", "--allow-root",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("PYTHONPATH");
        foreach (var (key, value) in kernel.Environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["JUPYTER_CONFIG_DIR"] = Path.Combine(kernel.Prefix, "config");
        start.Environment["JUPYTER_DATA_DIR"] = Path.Combine(kernel.Prefix, "data");
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForServer(int port, Process server, StringBuilder log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(server.HasExited, "jupyter notebook exited:\n" + log);
            try
            {
                var response = await http.GetAsync($"http://127.0.0.1:{port}/api");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(250);
        }

        Assert.Fail("jupyter notebook did not start within 60 s:\n" + log);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
