namespace CitizenHub.Adapters.Testing;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "citizenhub-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The full path of a file in the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Writes a UTF-8 text file (no byte-order mark) as a finished export: last written a minute ago, longer than the
    /// file adapters wait for a file to be still. Returns its full path.
    /// </summary>
    public string Write(string name, string content)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, content, new System.Text.UTF8Encoding(false));
        return Finished(path);
    }

    /// <summary>Makes a file written some other way look like a finished export (see <see cref="Write"/>); returns its path.</summary>
    public static string Finished(string path)
    {
        System.IO.File.SetLastWriteTimeUtc(path, TimeProvider.System.GetUtcNow().UtcDateTime - FinishedAge);
        return path;
    }

    /// <summary>How long ago <see cref="Write"/> says a file was last written.</summary>
    public static TimeSpan FinishedAge { get; } = TimeSpan.FromMinutes(1);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open (e.g. a pooled SQLite connection) only leaves litter in the temp folder.
        }
    }
}
