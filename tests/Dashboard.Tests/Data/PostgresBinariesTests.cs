using Dashboard.Data;

namespace Dashboard.Tests.Data;

public sealed class PostgresBinariesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pgbin").FullName;

    [Fact]
    public void No_binaries_on_path_or_in_the_versions_folder_is_reported_as_none()
    {
        Assert.Null(PostgresBinaries.Find(path: Path.Combine(_root, "empty"), versionsRoot: Path.Combine(_root, "none")));
    }

    [Fact]
    public void The_newest_version_under_the_versions_folder_is_chosen()
    {
        MakeBin(Path.Combine(_root, "lib", "13", "bin"));
        MakeBin(Path.Combine(_root, "lib", "15", "bin"));
        Directory.CreateDirectory(Path.Combine(_root, "lib", "16", "bin")); // no binaries inside

        var found = PostgresBinaries.Find(path: "", versionsRoot: Path.Combine(_root, "lib"));

        Assert.NotNull(found);
        Assert.Equal(15, found.MajorVersion);
        Assert.Equal(Path.Combine(_root, "lib", "15", "bin", "pg_ctl"), found.PgCtl);
    }

    [Fact]
    public void Binaries_on_the_path_win_over_the_versions_folder()
    {
        var onPath = Path.Combine(_root, "opt", "14", "bin");
        MakeBin(onPath);
        MakeBin(Path.Combine(_root, "lib", "15", "bin"));

        var found = PostgresBinaries.Find(path: onPath, versionsRoot: Path.Combine(_root, "lib"));

        Assert.Equal(onPath, found?.BinDir);
        Assert.Equal(14, found?.MajorVersion);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void MakeBin(string dir)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "initdb"), "");
        File.WriteAllText(Path.Combine(dir, "pg_ctl"), "");
    }
}
