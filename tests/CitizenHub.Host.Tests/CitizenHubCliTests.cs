using System.Reflection;
using CitizenHub.Contracts;
using CitizenHub.Hub;
using CitizenHub.Samples.LegacyHousing;
using CitizenHub.Store.Sqlite;
using CitizenHub.TestKit;

namespace CitizenHub.Host.Tests;

/// <summary>The command line as an operator uses it: arguments in, text and an exit code out.</summary>
public sealed class CitizenHubCliTests : CommandLineTest
{
    [Fact]
    public async Task Version_PrintsTheNameAndTheInformationalVersion_AndExitsZero()
    {
        var code = await RunAsync("--version");

        // What an operator compares with a release: the version, and the commit when built from a git checkout.
        var expected = typeof(CitizenHubCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?(\+[0-9a-f]{7,40})?$", expected);
        Assert.Equal($"citizenhub {expected}", Output.ToString().Trim());
    }

    [Fact]
    public async Task Help_ListsTheOperatorsCommands_AndNoBenchmark()
    {
        var code = await RunAsync("--help");

        // The benchmarks are their own executable (bench/, citizenhub-bench): the shipped one is wiring only.
        Assert.Equal(0, code);
        var commands = Output.ToString().Split('\n').SkipWhile(l => !l.StartsWith("Commands:", StringComparison.Ordinal)).Skip(1)
            .Select(l => l.Trim().Split(' ', 2)[0]).Where(c => c.Length > 0).ToArray();
        Assert.Equal(["sync", "serve", "export", "report", "config", "demo", "keys", "matching", "errors"], commands);
    }

    [Fact]
    public async Task Sync_ThenExportLinks_WritesOneRowPerSourceRecordJoinedAcrossSources()
    {
        var config = TwoSources.WriteTo(Folder);
        var links = Folder.File("out/links.csv");

        var syncCode = await RunAsync("sync", "--config", config);
        var exportCode = await RunAsync("export", "links", "--config", config, "--out", links);

        Assert.Equal(0, syncCode);
        Assert.Equal(0, exportCode);
        Assert.Contains("council-tax: 3 records, 1 rejected, 0 removed, 2 batches, 0 failed", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("housing-benefits: 3 records, 0 rejected, 0 removed, 2 batches, 0 failed", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("  rejects: " + Folder.File("rejects"), Output.ToString(), StringComparison.Ordinal);
        var rows = File.ReadAllLines(links);
        Assert.Equal("citizen_id,source_system,source_key", rows[0]);
        var byKey = rows.Skip(1).Select(r => r.Split(',')).ToDictionary(r => r[2], r => r[0]);
        Assert.Equal(["CT001", "CT002", "CT003", "HB-1", "HB-2", "HB-3"], byKey.Keys.Order());
        Assert.Equal(byKey["CT001"], byKey["HB-1"]);
        Assert.Equal(byKey["CT002"], byKey["HB-2"]);
        Assert.NotEqual(byKey["CT002"], byKey["CT003"]);
        Assert.Equal(4, byKey.Values.Distinct().Count());
    }

    [Fact]
    public async Task Sync_RunTwice_SecondRunChangesNoLinks()
    {
        var config = TwoSources.WriteTo(Folder);
        await RunAsync("sync", "--config", config);
        await RunAsync("export", "links", "--config", config, "--out", Folder.File("first.csv"));

        var code = await RunAsync("sync", "--config", config);
        await RunAsync("export", "links", "--config", config, "--out", Folder.File("second.csv"));

        Assert.Equal(0, code);
        Assert.Equal(File.ReadAllLines(Folder.File("first.csv")), File.ReadAllLines(Folder.File("second.csv")));
    }

    [Fact]
    public async Task Sync_OneSourceByName_RunsOnlyThatSource()
    {
        var config = TwoSources.WriteTo(Folder);

        var code = await RunAsync("sync", "--config", config, "--source", "housing-benefits");

        Assert.Equal(0, code);
        Assert.Contains("housing-benefits:", Output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("council-tax:", Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_UnknownSource_ExitsTwoWithOneLineNamingIt()
    {
        var config = TwoSources.WriteTo(Folder);

        var code = await RunAsync("sync", "--config", config, "--source", "electoral-roll");

        Assert.Equal(2, code);
        Assert.Equal(
            "citizenhub: unknown source 'electoral-roll'; configured: council-tax, housing-benefits",
            Error.ToString().TrimEnd());
        Assert.False(File.Exists(Folder.File("hub.db")));
    }

    [Fact]
    public async Task Sync_StoreLockedByAnotherProcess_ExitsOneWithOneLineNotAStackTrace()
    {
        // A second, short busy timeout: the store waits that long for the lock before it gives up.
        var config = Folder.Write("citizenhub.json", TwoSources.Config.Replace("Data Source=hub.db", "Data Source=hub.db;Default Timeout=1", StringComparison.Ordinal));
        Folder.Write("council-tax.csv", TwoSources.CouncilTax);
        Folder.Write("housing-benefits.csv", TwoSources.HousingBenefits);
        Assert.Equal(0, await RunAsync("sync", "--config", config));
        Output.GetStringBuilder().Clear();
        await using var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Folder.File("hub.db")};Pooling=False");
        await other.OpenAsync();
        await using (var hold = other.CreateCommand())
        {
            // Another process's write transaction, open for as long as the sync runs.
            hold.CommandText = "BEGIN IMMEDIATE;";
            await hold.ExecuteNonQueryAsync();
        }

        var code = await RunAsync("sync", "--config", config);

        Assert.Equal(1, code);
        var line = Assert.Single(Error.ToString().TrimEnd().Split('\n'));
        Assert.StartsWith("citizenhub: the store is locked", line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_MissingConfigFile_ExitsTwoWithOneLine()
    {
        var code = await RunAsync("sync", "--config", Folder.File("nowhere.json"));

        Assert.Equal(2, code);
        var line = Assert.Single(Error.ToString().TrimEnd().Split('\n'));
        Assert.Contains("config file", line, StringComparison.Ordinal);
        Assert.Contains("not found", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_ConfigNotJson_ExitsTwo()
    {
        var config = Folder.Write("citizenhub.json", "{ \"Sources\": [ ");

        var code = await RunAsync("sync", "--config", config);

        Assert.Equal(2, code);
        Assert.StartsWith("citizenhub: config file", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_ConfigBreakingTheSchema_ExitsTwoNamingEveryProblemAndReadsNothing()
    {
        var config = Folder.Write("citizenhub.json", """{ "Sources": [ { "Name": "a", "Kind": "Csv" }, { "Name": "b", "Mapping": { "Key": "k" } } ] }""");

        var code = await RunAsync("sync", "--config", config);

        Assert.Equal(2, code);
        Assert.Equal(
            [$"citizenhub: config file '{config}': $.Sources[0].Mapping: is required", $"citizenhub: config file '{config}': $.Sources[1].Kind: is required"],
            Error.ToString().TrimEnd().Split('\n'));
        Assert.False(File.Exists(Folder.File("citizenhub.db")));
    }

    [Fact]
    public async Task ConfigValidate_SampleConfiguration_IsValid()
    {
        var config = TwoSources.WriteTo(Folder);

        var code = await RunAsync("config", "validate", "--config", config);

        Assert.Equal(0, code);
        Assert.EndsWith("valid, 2 sources (council-tax: Csv, housing-benefits: Csv)", Output.ToString().TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigValidate_Problems_OneLineEachWithItsJsonPath()
    {
        var config = Folder.Write("citizenhub.json", """
            { "Sync": { "BatchSize": 0 },
              "Sources": [ { "Name": "ct", "Kind": "Csv", "Csv": { "Path": "ct.csv", "Encoding": "ebcdic" }, "Mapping": { "Key": "ref", "Kye": "x" } } ] }
            """);

        var code = await RunAsync("config", "validate", "--config", config);

        Assert.Equal(2, code);
        Assert.Equal(
            [
                $"{config}: $.Sources[0].Csv.Encoding: 'ebcdic' is not one of the allowed values; allowed: utf-8, UTF-8, utf8, windows-1252, Windows-1252, cp1252",
                $"{config}: $.Sources[0].Mapping.Kye: is not a known setting (did you mean Key?); allowed: Key, Title, GivenNames, MiddleNames, FamilyName, FullName, NameOrder, DateOfBirth, DateFormats, TwoDigitYearMax, AddressLines, AddressOneLine, Town, Postcode, PostcodeFormat, Uprn, NiNumber, NhsNumber, Identifiers, Emails, Phones, Attributes, Deleted, AgeAtObservation, DateOfDeath",
                $"{config}: $.Sync.BatchSize: 0 is out of range; allowed 1 to 10000",
            ],
            Error.ToString().TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task ConfigValidate_AdapterRuleBroken_NamesTheSource()
    {
        var config = Folder.Write("citizenhub.json", """
            { "Sources": [ { "Name": "er", "Kind": "FixedWidth", "FixedWidth": { "Path": "er.dat", "Columns": [ { "Name": "no", "Start": 1, "Length": 8 } ] },
                             "Mapping": { "Key": "no", "FamilyName": "surname" } } ] }
            """);

        var code = await RunAsync("config", "validate", "--config", config);

        Assert.Equal(2, code);
        Assert.Contains($"{config}: $.Sources[0] (er): Source 'er': the layout has no field named 'surname'", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_UnknownAdapterKind_ExitsTwoListingTheKinds()
    {
        var config = Folder.Write("citizenhub.json", """{ "Sources": [ { "Name": "a", "Kind": "Telex", "Mapping": { "Key": "k" } } ] }""");

        var code = await RunAsync("sync", "--config", config);

        Assert.Equal(2, code);
        Assert.Contains("$.Sources[0].Kind: 'Telex' is not an adapter kind of this hub; allowed: Csv, FixedWidth, Sql, Soap", Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_SourceFileMissing_ExitsOneAndSaysWhichSource()
    {
        var config = TwoSources.WriteTo(Folder);
        File.Delete(Folder.File("council-tax.csv"));

        var code = await RunAsync("sync", "--config", config);

        Assert.Equal(1, code);
        Assert.Contains("citizenhub: council-tax:", Error.ToString(), StringComparison.Ordinal);
        // A source that could not be read must not read as an empty one on standard output.
        Assert.Contains("council-tax: FAILED, 0 records", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("  failed: The file council-tax.csv does not exist", Output.ToString(), StringComparison.Ordinal);
        // The other source still ran.
        Assert.Contains("housing-benefits: 3 records", Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_ExtractCutShort_IsRefusedWithExitThree_AndRemovesOnlyWhenAllowed()
    {
        var config = TwoSources.WriteTo(Folder);
        await RunAsync("sync", "--config", config, "--source", "council-tax");
        var lines = TwoSources.CouncilTax.Split('\n');
        // The header and the first person only: as a half-written export looks.
        Folder.Write("council-tax.csv", string.Join('\n', lines.Take(2)) + "\n");

        var refused = await RunAsync("sync", "--config", config, "--source", "council-tax");
        var heldAfterRefusal = await ExportedLinkCountAsync(config);
        var allowed = await RunAsync("sync", "--config", config, "--source", "council-tax", "--allow-mass-removal");

        Assert.Equal(3, refused);
        Assert.Contains("council-tax: REFUSED, 1 records", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("--allow-mass-removal", Output.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, heldAfterRefusal);
        Assert.Equal(0, allowed);
        Assert.Contains("council-tax: 1 records, 0 rejected, 2 removed", Output.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, await ExportedLinkCountAsync(config));
    }

    private async Task<int> ExportedLinkCountAsync(string config)
    {
        var links = Folder.File("links.csv");
        Assert.Equal(0, await RunAsync("export", "links", "--config", config, "--out", links));
        return File.ReadAllLines(links).Length - 1;
    }

    [Fact]
    public async Task Sync_WithoutConfigOption_IsAUsageError()
    {
        var code = await RunAsync("sync");

        Assert.Equal(2, code);
    }

    [Fact]
    public async Task Sync_SqlSourceAddedWithConfigAlone_IsIngestedThenReadIncrementally()
    {
        using var housing = new LegacyDatabase();
        housing.Insert(7, "MARGARET", "HUGHES", "1950-03-04", "2026-10-01T09:00:00");
        housing.Insert(8, "Kwame", "Mensah", "1981-03-11", "2026-10-02T09:00:00");
        var config = Folder.Write("citizenhub.json", $$"""
            {
              "Sources": [
                { "Name": "housing", "Kind": "Sql", "Mode": "Incremental",
                  "Sql": { "Provider": "Sqlite", "ConnectionString": "Data Source={{housing.Path}}",
                           "Query": "{{LegacyDatabase.PagedQuery.ReplaceLineEndings(" ")}}",
                           "WatermarkColumn": "updated_at", "KeyColumn": "tenant_id", "PageSize": 1 },
                  "Mapping": { "Key": "tenant_id", "GivenNames": "forename", "FamilyName": "surname",
                               "DateOfBirth": "dob", "DateFormats": [ "yyyy-MM-dd" ], "Postcode": "postcode" } }
              ]
            }
            """);

        var first = await RunAsync("sync", "--config", config);
        housing.Insert(9, "Priya", "Patel", "1979-11-17", "2026-10-03T09:00:00");
        var second = await RunAsync("sync", "--config", config);
        await RunAsync("export", "links", "--config", config, "--out", Folder.File("links.csv"));

        Assert.Equal((0, 0), (first, second));
        Assert.Contains("housing: 2 records, 0 rejected, 0 removed, 1 batches, 0 failed", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("housing: 1 records, 0 rejected, 0 removed, 1 batches, 0 failed", Output.ToString(), StringComparison.Ordinal);
        Assert.Equal(["7", "8", "9"], File.ReadAllLines(Folder.File("links.csv")).Skip(1).Select(l => l.Split(',')[2]).Order());
    }

    [Fact]
    public async Task Sync_DropFolder_ReadsEachFileOnceAndArchivesItAfterTheHubAppliedIt()
    {
        var drop = Directory.CreateDirectory(Folder.File("drops")).FullName;
        var config = Folder.Write("citizenhub.json", """
            { "Sources": [ { "Name": "benefits", "Kind": "Csv", "Mode": "Incremental",
                             "Csv": { "Folder": "drops", "Delimiter": "|", "StableFor": "00:00:00" },
                             "Mapping": { "Key": "CLAIM_REF", "FamilyName": "SURNAME", "GivenNames": "FORENAMES" } } ] }
            """);
        File.WriteAllText(Path.Combine(drop, "claims-1.csv"), "CLAIM_REF|SURNAME|FORENAMES\nHB-1|HUGHES|PEGGY\nHB-2|SMITH|JOHN\n");

        var first = await RunAsync("sync", "--config", config);
        File.WriteAllText(Path.Combine(drop, "claims-2.csv"), "CLAIM_REF|SURNAME|FORENAMES\nHB-3|PATEL|PRIYA\n");
        var second = await RunAsync("sync", "--config", config);
        var third = await RunAsync("sync", "--config", config);

        Assert.Equal((0, 0, 0), (first, second, third));
        var lines = Output.ToString().Split('\n').Where(l => l.StartsWith("benefits:", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("benefits: 2 records", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("benefits: 1 records", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("benefits: 0 records", lines[2], StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(drop));
        Assert.Equal(["claims-1.csv", "claims-2.csv"], Directory.GetFiles(Path.Combine(drop, "archive"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Sync_DropFolderOfDeltasUnderOneName_ReadsEachNightsFile_AndATombstoneRemovesItsRecord()
    {
        var drop = Directory.CreateDirectory(Folder.File("drops")).FullName;
        var config = Folder.Write("citizenhub.json", """
            { "Sources": [ { "Name": "benefits", "Kind": "Csv", "Mode": "Incremental",
                             "Csv": { "Folder": "drops", "Delimiter": "|", "StableFor": "00:00:00" },
                             "Mapping": { "Key": "CLAIM_REF", "FamilyName": "SURNAME", "GivenNames": "FORENAMES",
                                          "Deleted": { "Field": "STATUS", "Values": [ "D" ] } } } ] }
            """);
        // The exporter writes one name every night.
        File.WriteAllText(Path.Combine(drop, "claims.csv"), "CLAIM_REF|SURNAME|FORENAMES|STATUS\nHB-1|HUGHES|PEGGY|A\nHB-2|SMITH|JOHN|A\n");
        var monday = await RunAsync("sync", "--config", config);
        File.WriteAllText(Path.Combine(drop, "claims.csv"), "CLAIM_REF|SURNAME|FORENAMES|STATUS\nHB-2|SMITH|JOHN|D\nHB-3|PATEL|PRIYA|A\n");
        var tuesday = await RunAsync("sync", "--config", config);
        await RunAsync("export", "links", "--config", config, "--out", Folder.File("links.csv"));

        Assert.Equal((0, 0), (monday, tuesday));
        Assert.Equal(["HB-1", "HB-3"], File.ReadAllLines(Folder.File("links.csv")).Skip(1).Select(l => l.Split(',')[2]).Order());
        Assert.Empty(Directory.GetFiles(drop));
        // Both nights' extracts are kept, neither overwriting the other.
        Assert.Equal(["claims.2.csv", "claims.csv"], Directory.GetFiles(Path.Combine(drop, "archive"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Sync_FullSourceWithNothingToRead_RemovesNothing()
    {
        var config = TwoSources.WriteTo(Folder);
        await RunAsync("sync", "--config", config, "--source", "council-tax");
        Folder.Write("council-tax.csv", "");

        var code = await RunAsync("sync", "--config", config, "--source", "council-tax");

        Assert.Equal(0, code);
        Assert.Contains("  warning: nothing was read, so deletions were not checked", Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_SoapServiceAddedWithConfigAlone_IsIngestedAndJoinedWithACsvSource()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        await using var service = LegacyHousingService.Build(url, TenancyBook.Sample(), "housing-feed", "feed-password");
        await service.StartAsync();
        Folder.Write("council-tax.csv", TwoSources.CouncilTax);
        var config = Folder.Write("citizenhub.json", $$"""
            { "Sources": [
                { "Name": "council-tax", "Kind": "Csv", "Priority": 1, "Csv": { "Path": "council-tax.csv" },
                  "Mapping": { "Key": "account_ref", "GivenNames": "forenames", "FamilyName": "surname", "DateOfBirth": "date_of_birth",
                               "DateFormats": [ "dd/MM/yyyy" ], "NiNumber": "ni_number" } },
                { "Name": "housing", "Kind": "Soap", "Mode": "Incremental",
                  "Soap": { "Endpoint": "{{url}}/Tenancies.svc", "Action": "http://council.example/housing/ITenancyService/GetTenancies",
                            "Body": "<GetTenancies xmlns='http://council.example/housing'><changedSince>{cursor}</changedSince><pageToken>{pageToken}</pageToken><pageSize>{pageSize}</pageSize></GetTenancies>",
                            "Namespaces": { "h": "http://council.example/housing" }, "RecordPath": "//h:Tenancy",
                            "Fields": { "ref": "h:TenancyRef", "surname": "h:Surname", "forenames": "h:Forenames", "dob": "h:DateOfBirth", "ni": "h:NiNumber" },
                            "NextPageTokenPath": "//h:NextPageToken", "CursorPath": "//h:Watermark", "PageSize": 2,
                            "Username": "housing-feed", "Password": "feed-password" },
                  "Mapping": { "Key": "ref", "FamilyName": "surname", "GivenNames": "forenames", "DateOfBirth": "dob", "DateFormats": [ "dd-MMM-yyyy" ], "NiNumber": "ni" } } ] }
            """);

        var first = await RunAsync("sync", "--config", config);
        var second = await RunAsync("sync", "--config", config, "--source", "housing");
        await RunAsync("export", "links", "--config", config, "--out", Folder.File("links.csv"));

        Assert.Equal((0, 0), (first, second));
        Assert.Contains("housing: 5 records, 0 rejected, 0 removed", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("housing: 0 records", Output.ToString(), StringComparison.Ordinal);
        var byKey = File.ReadAllLines(Folder.File("links.csv")).Skip(1).Select(r => r.Split(',')).ToDictionary(r => r[2], r => r[0]);
        // The tenant and the council-tax payer share an NI number: one citizen.
        Assert.Equal(byKey["CT001"], byKey["HT-20231"]);
        Assert.Equal(byKey["CT002"], byKey["HT-20232"]);
    }

    [Fact]
    public async Task ErrorsListThenReplay_AppliesTheKeptBatchOnce()
    {
        var config = TwoSources.WriteTo(Folder);
        await RunAsync("sync", "--config", config);
        // A batch the hub could not apply (its store was away, say), kept whole as the hub keeps one.
        var runId = Guid.NewGuid();
        var batch = new SourceRecordBatch(runId, "council-tax", 7, [Records.Person("council-tax", "CT999", "Nia", "Evans", (1981, 4, 5))]);
        using (var store = new SqliteCitizenStore($"Data Source={Folder.File("hub.db")}"))
        {
            await store.RecordRunStartedAsync(new SyncRunStarted(runId, "council-tax", TimeProvider.System.GetUtcNow()), CancellationToken.None);
            await store.RecordMessageFailedAsync(HubMessages.Identify(batch), "Npgsql.NpgsqlException", HubMessages.Serialize(batch), TimeProvider.System.GetUtcNow(), CancellationToken.None);
        }

        var listCode = await RunAsync("errors", "list", "--config", config);
        var listed = Output.ToString();
        var replayCode = await RunAsync("errors", "replay", "--config", config, "1");
        var againCode = await RunAsync("errors", "replay", "--config", config, "1");
        await RunAsync("errors", "list", "--config", config);
        await RunAsync("export", "links", "--config", config, "--out", Folder.File("links.csv"));

        Assert.Equal((0, 0, 0), (listCode, replayCode, againCode));
        var row = listed.Split('\n').Single(l => l.StartsWith("1\t", StringComparison.Ordinal)).Split('\t');
        Assert.Equal(("council-tax", $"{runId:N}", "records 7", "failed", "Npgsql.NpgsqlException"), (row[2], row[3], row[4], row[5], row[6].TrimEnd()));
        Assert.Contains("1: applied", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("1: already applied; nothing sent", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("no failed messages waiting", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains(",council-tax,CT999", File.ReadAllText(Folder.File("links.csv")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorsReplay_NeitherIdsNorAll_IsAUsageError()
    {
        var config = TwoSources.WriteTo(Folder);

        var code = await RunAsync("errors", "replay", "--config", config);

        Assert.Equal(2, code);
        Assert.Contains("their ids, from 'errors list') or give --all", Error.ToString(), StringComparison.Ordinal);
    }
}
