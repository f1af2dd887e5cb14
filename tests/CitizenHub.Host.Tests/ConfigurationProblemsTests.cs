using CitizenHub.TestKit;

namespace CitizenHub.Host.Tests;

/// <summary>A configuration that is wrong says where, what and what would be right, one problem a line.</summary>
public sealed class ConfigurationProblemsTests : CommandLineTest
{
    [Fact]
    public async Task ConfigValidate_MisspeltSettingsAtEveryLevel_EachAnErrorWithItsJsonPathAndTheSettingMeant()
    {
        var config = Folder.Write("citizenhub.json", """
            { "Sync": { "BatchSise": 10 },
              "Sources": [
                { "Name": "ct", "Kind": "Csv", "Csv": { "Path": "ct.csv", "Delimeter": "|" }, "Mapping": { "Key": "ref" } },
                { "Name": "hb", "Kind": "Csv", "FieldPriority": { "address": 3 }, "Csv": { "Path": "hb.csv" },
                  "Mapping": { "Key": "ref", "FieldPriority": "x" } } ] }
            """);

        var code = await RunAsync("config", "validate", "--config", config);

        Assert.Equal(2, code);
        var lines = Error.ToString().TrimEnd().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines, l => l.StartsWith($"{config}: $.Sources[0].Csv.Delimeter: is not a known setting (did you mean Delimiter?); allowed: Path, Delimiter,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{config}: $.Sources[1].FieldPriority: is not a known setting (did you mean FieldPriorities?); allowed: Name, Kind, Priority, FieldPriorities,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{config}: $.Sources[1].Mapping.FieldPriority: is not a known setting; allowed: Key, Title,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{config}: $.Sync.BatchSise: is not a known setting (did you mean BatchSize?); allowed: BatchSize, RejectsDirectory,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConfigValidate_SectionNamedAfterAKindNotBuiltIn_IsNotAnUnknownSetting()
    {
        var config = Folder.Write("citizenhub.json", """{ "Sources": [ { "Name": "a", "Kind": "Telex", "Telex": { "Line": 7 }, "Mapping": { "Key": "k" } } ] }""");

        var code = await RunAsync("config", "validate", "--config", config);

        Assert.Equal(2, code);
        Assert.Equal($"{config}: $.Sources[0].Kind: 'Telex' is not an adapter kind of this hub; allowed: Csv, FixedWidth, Sql, Soap", Error.ToString().TrimEnd());
    }

    [Fact]
    public async Task ConfigValidate_BadValues_SayWhatIsAllowed()
    {
        var config = Folder.Write("citizenhub.json", """
            { "Transport": "Kafka",
              "Sync": { "BatchSize": 0, "CompletionTimeout": "1 hour", "MaxRemovalFraction": 1.5 },
              "Sources": [ { "Name": "ct", "Kind": "Csv", "Mode": "Nightly", "Csv": { "Path": "ct.csv", "Encoding": "ebcdic" }, "Mapping": { "Key": "ref", "PostcodeFormat": "Canada", "Identifiers": [ { "Field": "p", "Scheme": "Passport No" } ], "AgeAtObservation": { "AtLeast": -1 } } } ] }
            """);

        var code = await RunAsync("config", "validate", "--config", config);

        Assert.Equal(2, code);
        Assert.Equal(
            [
                $"{config}: $.Sources[0].Csv.Encoding: 'ebcdic' is not one of the allowed values; allowed: utf-8, UTF-8, utf8, windows-1252, Windows-1252, cp1252",
                $"{config}: $.Sources[0].Mapping.AgeAtObservation.AtLeast: -1 is out of range; allowed 0 to 130",
                $"{config}: $.Sources[0].Mapping.Identifiers[0].Scheme: is not in the expected form; it must match ^[a-z0-9]+(-[a-z0-9]+)*$",
                $"{config}: $.Sources[0].Mapping.PostcodeFormat: 'Canada' is not one of the allowed values; allowed: UK, Any",
                $"{config}: $.Sources[0].Mode: 'Nightly' is not one of the allowed values; allowed: Full, Incremental",
                $"{config}: $.Sync.BatchSize: 0 is out of range; allowed 1 to 10000",
                $"{config}: $.Sync.CompletionTimeout: is not in the expected form; a time span, hh:mm:ss or d.hh:mm:ss (00:00:30, 01:00:00, 1.00:00:00)",
                $"{config}: $.Sync.MaxRemovalFraction: 1.5 is out of range; allowed 0 to 1",
                $"{config}: $.Transport: 'Kafka' is not one of the allowed values; allowed: InMemory, RabbitMq",
            ],
            Error.ToString().TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Sync_SeveralProblems_OneLineEachOnStandardErrorAndExitsTwo()
    {
        var config = Folder.Write("citizenhub.json", """
            { "Sync": { "BatchSize": 0 },
              "Sources": [ { "Name": "ct", "Kind": "Csv", "Csv": { "Path": "ct.csv" }, "Mapping": { "Key": "ref", "Kye": "x" } } ] }
            """);

        var code = await RunAsync("sync", "--config", config);

        Assert.Equal(2, code);
        Assert.Equal(
            [
                $"citizenhub: config file '{config}': $.Sources[0].Mapping.Kye: is not a known setting (did you mean Key?); allowed: {string.Join(", ", MappingSettings)}",
                $"citizenhub: config file '{config}': $.Sync.BatchSize: 0 is out of range; allowed 1 to 10000",
            ],
            Error.ToString().TrimEnd().Split('\n'));
        Assert.Empty(Output.ToString());
    }

    [Fact]
    public async Task Sync_BatchSizeZeroFromTheEnvironment_ExitsTwoNamingSyncBatchSizeAndReadsNothing()
    {
        var config = TwoSources.WriteTo(Folder);

        using var sync = CitizenHubProcess.Start(new Dictionary<string, string> { ["CITIZENHUB_Sync__BatchSize"] = "0" }, "sync", "--config", config);
        var output = sync.StandardOutput.ReadToEndAsync();
        var error = await sync.StandardError.ReadToEndAsync();
        await sync.WaitForExitAsync();

        Assert.Equal(2, sync.ExitCode);
        Assert.Equal(
            $"citizenhub: config file '{config}': $.Sync.BatchSize (set by CITIZENHUB_Sync__BatchSize): 0 is out of range; allowed 1 to 10000",
            error.TrimEnd());
        Assert.Empty(await output);
        Assert.False(File.Exists(Folder.File("hub.db")));
    }

    [Fact]
    public async Task ConfigValidate_EnvironmentValueOfTheWrongType_ExitsTwoNamingTheSettingAndWhatItTakesNotTheValue()
    {
        var config = TwoSources.WriteTo(Folder);

        using var validate = CitizenHubProcess.Start(new Dictionary<string, string> { ["CITIZENHUB_Transport"] = "Kafka" }, "config", "validate", "--config", config);
        var error = await validate.StandardError.ReadToEndAsync();
        await validate.WaitForExitAsync();

        Assert.Equal(2, validate.ExitCode);
        Assert.Equal($"{config}: $.Transport (set by CITIZENHUB_Transport): must be one of InMemory, RabbitMq", error.TrimEnd());
        Assert.DoesNotContain("Kafka", error, StringComparison.Ordinal);
    }

    private static readonly string[] MappingSettings =
    [
        "Key", "Title", "GivenNames", "MiddleNames", "FamilyName", "FullName", "NameOrder", "DateOfBirth", "DateFormats", "TwoDigitYearMax",
        "AddressLines", "AddressOneLine", "Town", "Postcode", "PostcodeFormat", "Uprn", "NiNumber", "NhsNumber", "Identifiers", "Emails", "Phones", "Attributes", "Deleted", "AgeAtObservation", "DateOfDeath",
    ];
}
