using System.Text;
using SeqCourse.Runtime.Notebooks;

namespace SeqCourse.Runtime.Tests.Runner;

public class AtomicFileTests
{
    [Fact]
    public void FailureHalfwayKeepsTheOldFileAndLeavesNoTemporaryFile()
    {
        var folder = TestSupport.NewTempFolder();
        var path = Path.Combine(folder, "executed.ipynb");
        File.WriteAllText(path, "old complete content");

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.UTF8.GetBytes("{\"cells\": [ half a notebo"));
            stream.Flush();
            throw new IOException("disk full (simulated)");
        }));

        Assert.Equal("disk full (simulated)", e.Message);
        Assert.Equal("old complete content", File.ReadAllText(path));
        Assert.Equal(["executed.ipynb"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void FailureHalfwayCreatesNoFile()
    {
        var folder = TestSupport.NewTempFolder();
        var path = Path.Combine(folder, "sub", "new.ipynb");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1000]);
            throw new InvalidOperationException("serializer crashed (simulated)");
        }));

        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.Combine(folder, "sub")));
    }

    [Fact]
    public void WhileWritingReadersStillSeeTheOldContent()
    {
        var folder = TestSupport.NewTempFolder();
        var path = Path.Combine(folder, "n.ipynb");
        File.WriteAllText(path, "v1");

        AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.UTF8.GetBytes("v2 part one, "));
            Assert.Equal("v1", File.ReadAllText(path)); // the target is not touched until the rename
            stream.Write(Encoding.UTF8.GetBytes("part two"));
        });

        Assert.Equal("v2 part one, part two", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(folder));
    }

    [Fact]
    public void TargetThatIsAFolderFailsWithoutLeftovers()
    {
        var folder = TestSupport.NewTempFolder();
        var target = Path.Combine(folder, "taken.ipynb");
        Directory.CreateDirectory(target);

        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(target, "x"));
        Assert.Empty(Directory.GetFiles(folder));
    }
}
