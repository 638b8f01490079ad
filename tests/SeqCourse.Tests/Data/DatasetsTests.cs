namespace SeqCourse.Tests.Data;

public class DatasetsTests
{
    [Fact]
    public void FindRootWalksUpFromANestedFolder()
    {
        var nested = Path.Combine(DataFiles.Root, "datasets", "names");
        Assert.Equal(DataFiles.Root, Datasets.FindRoot(nested));
        Assert.True(File.Exists(Path.Combine(DataFiles.Root, "course.sln")));
    }

    [Fact]
    public void FindRootFailsClearlyOutsideTheRepository()
    {
        var outside = Directory.CreateTempSubdirectory("seqcourse-nodata-");
        try
        {
            // A datasets/ folder alone is not enough: the root also holds course.sln.
            Directory.CreateDirectory(Path.Combine(outside.FullName, "datasets"));
            var ex = Assert.Throws<DirectoryNotFoundException>(() => Datasets.FindRoot(outside.FullName));
            Assert.Contains("course.sln", ex.Message);
            Assert.Contains(outside.FullName, ex.Message);
        }
        finally { outside.Delete(recursive: true); }
    }

    [Fact]
    public void FindRootRejectsAMissingStartDirectory()
    {
        var ex = Assert.Throws<ArgumentException>(() => Datasets.FindRoot("/no/such/seqcourse/dir"));
        Assert.Equal("start", ex.ParamName);
    }

    [Fact]
    public void LoadersRejectAMissingRoot()
    {
        var ex = Assert.Throws<ArgumentException>(() => Datasets.LoadNames("/no/such/seqcourse/root"));
        Assert.Equal("root", ex.ParamName);
        Assert.Contains("/no/such/seqcourse/root", ex.Message);
    }

    [Fact]
    public void AMissingFileSaysHowToRegenerate()
    {
        var fake = Directory.CreateTempSubdirectory("seqcourse-fakeroot-");
        try
        {
            Directory.CreateDirectory(Path.Combine(fake.FullName, "datasets"));
            var ex = Assert.Throws<FileNotFoundException>(() => Datasets.LoadDialogues(fake.FullName));
            Assert.Contains("dialogues.txt", ex.Message);
            Assert.Contains("WriteAll", ex.Message);
        }
        finally { fake.Delete(recursive: true); }
    }

    [Fact]
    public void LoadDatesRejectsAnUnknownSplit()
    {
        var ex = Assert.Throws<ArgumentException>(() => Datasets.LoadDates("valid", DataFiles.Root));
        Assert.Equal("split", ex.ParamName);
        Assert.Contains("valid", ex.Message);
    }

    [Fact]
    public void EveryCommittedFileIsListedAndHasAReadme()
    {
        foreach (var (rel, _) in Datasets.Files)
        {
            Assert.True(File.Exists(Datasets.PathOf(rel, DataFiles.Root)), rel);
            var folder = Path.GetDirectoryName(Datasets.PathOf(rel, DataFiles.Root))!;
            Assert.True(File.Exists(Path.Combine(folder, "README.md")), $"{folder}/README.md");
        }
        Assert.True(File.Exists(Path.Combine(DataFiles.Root, "datasets", "README.md")));
    }
}
