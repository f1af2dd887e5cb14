using CitizenHub.Host;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Bench.Commands;

/// <summary>The folder a benchmark syncs in: a new temporary one, deleted after, or the one <c>--keep</c> names, kept.</summary>
internal static class BenchFolder
{
    /// <summary>The folder's full path; a <c>--keep</c> folder that already holds files is refused.</summary>
    public static string Open(string? keep, string prefix)
    {
        if (keep is null)
        {
            return Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        }

        var directory = Path.GetFullPath(keep);
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            // A store left by an earlier run would be scored along with this one.
            throw new CliException($"--keep folder '{keep}' is not empty; give a new or empty folder");
        }

        return directory;
    }

    /// <summary>Deletes a folder not kept, once its stores' pooled connections are let go.</summary>
    public static void Close(string directory, string? keep)
    {
        if (keep is not null)
        {
            return;
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open only leaves litter in the temp folder (and a folder never made, nothing).
        }
    }
}
