using System.Diagnostics;
using System.Globalization;
using System.Text;
using CitizenHub.Adapters.Testing;
using Microsoft.Data.Sqlite;

namespace CitizenHub.Host.Tests;

/// <summary>
/// The operator's worst night: <c>citizenhub sync</c> killed (SIGKILL) part-way through a file, then run
/// again. The links must come out exactly as one clean run's.
/// </summary>
public sealed class SyncKillTests : IDisposable
{
    private const int Rows = 20_000;
    private readonly TempDirectory _clean = new();
    private readonly TempDirectory _killed = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _clean.Dispose();
        _killed.Dispose();
    }

    [Fact]
    public async Task Sync_KilledMidFileThenRunAgain_GivesTheLinksOfOneCleanRun()
    {
        var cleanConfig = Prepare(_clean);
        var killedConfig = Prepare(_killed);

        await RunToEndAsync("sync", "--config", cleanConfig);
        var killedPartWay = await KillPartWayAsync(1000, "sync", "--config", killedConfig);
        var linksAfterKill = await LinksAsync(killedConfig, _killed);
        var rerun = await RunToEndAsync("sync", "--config", killedConfig);

        Assert.True(killedPartWay, "the first sync finished before it could be killed");
        Assert.InRange(linksAfterKill.Count, 1, Rows - 1);
        Assert.Equal(Shape(await LinksAsync(cleanConfig, _clean)), Shape(await LinksAsync(killedConfig, _killed)));
        // The killed run's lock named a process that is gone: the rerun took it over and said so.
        Assert.Matches(@"(?m)^  resumed: run [0-9a-f-]{36} did not finish; a full run reads the source whole again$", rerun);
    }

    [Fact]
    public async Task Sync_OfADropFolderKilledPartWay_ContinuesFromTheFilesItHadApplied_AndSaysSo()
    {
        const int Files = 4, RowsEach = 2_500;
        var cleanConfig = PrepareDropFolder(_clean, Files, RowsEach);
        var killedConfig = PrepareDropFolder(_killed, Files, RowsEach);

        await RunToEndAsync("sync", "--config", cleanConfig);
        // Past the first file, and past the second's look at what is applied, so a checkpoint has been saved.
        var killedPartWay = await KillPartWayAsync(RowsEach + 1_000, "sync", "--config", killedConfig);
        var rerun = await RunToEndAsync("sync", "--config", killedConfig);

        Assert.True(killedPartWay, "the first sync finished before it could be killed");
        Assert.Matches(@"(?m)^  resumed: run [0-9a-f-]{36} did not finish; this run continues from the last saved cursor$", rerun);
        // It did not read the files the killed run had applied again.
        var read = int.Parse(System.Text.RegularExpressions.Regex.Match(rerun, @"(?m)^people: (\d+) records").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(read, 1, (Files - 1) * RowsEach);
        Assert.Equal(Shape(await LinksAsync(cleanConfig, _clean)), Shape(await LinksAsync(killedConfig, _killed)));
        Assert.Empty(Directory.GetFiles(_killed.File("drop"), "*.csv"));
    }

    private static string PrepareDropFolder(TempDirectory folder, int files, int rowsEach)
    {
        Directory.CreateDirectory(folder.File("drop"));
        for (var f = 0; f < files; f++)
        {
            var csv = new StringBuilder("ref,forenames,surname,dob,ni\n");
            for (var r = 1; r <= rowsEach; r++)
            {
                var i = (f * rowsEach) + r;
                var person = i % 5 == 0 ? i - 1 : i;
                var ni = string.Create(CultureInfo.InvariantCulture, $"AB{person % 1_000_000:D6}C");
                csv.Append(CultureInfo.InvariantCulture, $"R{i},Given{Letters(person)},Family{Letters(person)},{1 + person % 28:D2}/{1 + person % 12:D2}/{1930 + person % 70},{ni}\n");
            }

            folder.Write($"drop/people-{f + 1}.csv", csv.ToString());
        }

        return folder.Write("citizenhub.json", """
            { "Sync": { "BatchSize": 200 },
              "Sources": [ { "Name": "people", "Kind": "Csv", "Mode": "Incremental", "Csv": { "Folder": "drop", "StableFor": "00:00:00" },
                             "Mapping": { "Key": "ref", "GivenNames": "forenames", "FamilyName": "surname", "DateOfBirth": "dob", "NiNumber": "ni" } } ] }
            """);
    }

    private static string Prepare(TempDirectory folder)
    {
        var csv = new StringBuilder("ref,forenames,surname,dob,ni\n");
        for (var i = 1; i <= Rows; i++)
        {
            // Every fifth row is the previous row's person again (same NI number): links to check.
            var person = i % 5 == 0 ? i - 1 : i;
            var ni = string.Create(CultureInfo.InvariantCulture, $"AB{person % 1_000_000:D6}C");
            csv.Append(CultureInfo.InvariantCulture, $"R{i},Given{Letters(person)},Family{Letters(person)},{1 + person % 28:D2}/{1 + person % 12:D2}/{1930 + person % 70},{ni}\n");
        }

        folder.Write("people.csv", csv.ToString());
        return folder.Write("citizenhub.json", """
            { "Sync": { "BatchSize": 200 },
              "Sources": [ { "Name": "people", "Kind": "Csv", "Csv": { "Path": "people.csv" },
                             "Mapping": { "Key": "ref", "GivenNames": "forenames", "FamilyName": "surname", "DateOfBirth": "dob", "NiNumber": "ni" } } ] }
            """);
    }

    /// <summary>A number written in letters (<c>1203</c> → <c>BCAD</c>): names are compared without digits, and each person needs their own.</summary>
    private static string Letters(int number) => string.Concat(number.ToString(CultureInfo.InvariantCulture).Select(d => (char)('A' + (d - '0'))));

    /// <param name="links">How many records the store holds (the hub has applied) before the kill.</param>
    private static async Task<bool> KillPartWayAsync(int links, params string[] args)
    {
        using var process = Start(args);
        // Wait until the hub has applied some batches: the store then holds part of the file.
        var database = Path.Combine(Path.GetDirectoryName(args[^1])!, "citizenhub.db");
        for (var i = 0; i < 1200 && !process.HasExited && CountLinks(database) < links; i++)
        {
            await Task.Delay(50);
        }

        if (process.HasExited)
        {
            return false;
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        return true;
    }

    private static long CountLinks(string database)
    {
        if (!File.Exists(database))
        {
            return 0;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM source_records";
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // not created yet
        }
    }

    /// <summary>Runs the command to its end, which must be exit code 0; returns what it printed.</summary>
    private static async Task<string> RunToEndAsync(params string[] args)
    {
        using var process = Start(args);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        return stdout;
    }

    private static Process Start(string[] args) => CitizenHubProcess.Start(args);

    private static async Task<List<string[]>> LinksAsync(string config, TempDirectory folder)
    {
        var output = folder.File($"links-{Guid.NewGuid():N}.csv");
        await RunToEndAsync("export", "links", "--config", config, "--out", output);
        return [.. File.ReadAllLines(output).Skip(1).Select(l => l.Split(','))];
    }

    /// <summary>Links as groups of source keys: ids differ between stores; who is with whom must not.</summary>
    private static List<string> Shape(IEnumerable<string[]> links) =>
        [.. links.GroupBy(l => l[0]).Select(g => string.Join("+", g.Select(l => l[2]).Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal)];
}
