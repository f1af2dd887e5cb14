namespace CitizenHub.Matching.Tests;

public sealed class NicknamesTests
{
    [Theory]
    [InlineData("MARGARET", "PEGGY")]
    [InlineData("MARGARET", "MAGGIE")]
    [InlineData("PEGGY", "MEG")]
    [InlineData("WILLIAM", "BILL")]
    [InlineData("ROBERT", "BOB")]
    [InlineData("RICHARD", "DICK")]
    [InlineData("ELIZABETH", "BETTY")]
    [InlineData("ELIZABETH", "ELSPETH")]
    [InlineData("CATHERINE", "KATHRYN")]
    [InlineData("KATE", "CATHERINE")]
    [InlineData("JAMES", "HAMISH")]
    [InlineData("JAMES", "SEAMUS")]
    [InlineData("DAVID", "DAFYDD")]
    [InlineData("DAFYDD", "DAI")]
    [InlineData("DAVID", "DEWI")]
    [InlineData("SEAN", "SHAUN")]
    [InlineData("SHAUN", "SHAWN")]
    [InlineData("IAN", "IAIN")]
    [InlineData("EUAN", "EWAN")]
    [InlineData("EOIN", "OWEN")]
    [InlineData("SIOBHAN", "SHIVAUN")]
    [InlineData("PATRICK", "PADRAIG")]
    [InlineData("TERENCE", "TERRY")]
    [InlineData("THERESA", "TERRY")]
    [InlineData("STEPHEN", "STEVEN")]
    [InlineData("MOHAMMED", "MUHAMMAD")]
    [InlineData("SION", "JOHN")] // Welsh, Irish and Scottish Gaelic forms of one name
    [InlineData("SIAN", "JANE")]
    [InlineData("MAIR", "MARY")]
    [InlineData("IEUAN", "EVAN")]
    [InlineData("GRUFFUDD", "GRIFFITH")]
    [InlineData("SEAN", "JOHN")]
    [InlineData("SIOBHAN", "JOAN")]
    [InlineData("PADRAIG", "PATRICK")]
    [InlineData("EOGHAN", "OWEN")]
    [InlineData("SEUMAS", "JAMES")]
    public void AreEquivalent_NamesInOneGroup_AreEquivalentBothWays(string a, string b)
    {
        Assert.True(Nicknames.AreEquivalent(a, b));
        Assert.True(Nicknames.AreEquivalent(b, a));
    }

    [Theory]
    [InlineData("TERENCE", "THERESA")] // share only TERRY: equivalence is not transitive
    [InlineData("MARGARET", "MEGAN")] // share only MEG
    [InlineData("JOHN", "SHAUN")] // SEAN is JOHN in Irish, but its anglicised spellings are not JOHN's
    [InlineData("JOAN", "SHIVAUN")]
    [InlineData("JOHN", "IAN")]
    [InlineData("NICOLA", "NICOLE")]
    [InlineData("SMITH", "JONES")] // not in the table at all
    [InlineData("MARGARET", "MARY")]
    public void AreEquivalent_DifferentNames_AreNot(string a, string b) => Assert.False(Nicknames.AreEquivalent(a, b));

    [Theory]
    [InlineData("MARGARET")]
    [InlineData("ZEBEDEE")] // not in the table, still itself
    public void AreEquivalent_ANameAndItself_AreEquivalent(string name) => Assert.True(Nicknames.AreEquivalent(name, name));

    [Fact]
    public void Groups_NameInTwoGroups_ListsBothAscending()
    {
        var terry = Nicknames.Groups("TERRY");
        Assert.Equal(2, terry.Count);
        Assert.True(terry[0] < terry[1]);
        Assert.Contains(Assert.Single(Nicknames.Groups("TERENCE")), terry);
        Assert.Contains(Assert.Single(Nicknames.Groups("THERESA")), terry);
    }

    [Fact]
    public void Equivalents_NameInTwoGroups_ListsTheOtherNamesOfBoth_NotItself()
    {
        var equivalents = Nicknames.Equivalents("SANDRA").ToList();

        Assert.Contains("ALEXANDRA", equivalents);
        Assert.Contains("SANDIE", equivalents);
        Assert.DoesNotContain("SANDRA", equivalents);
        Assert.Empty(Nicknames.Equivalents("ZEBEDEE"));
    }

    [Fact]
    public void Groups_UnknownName_IsEmpty() => Assert.Empty(Nicknames.Groups("ZEBEDEE"));

    [Fact]
    public void Table_CoversAtLeast150Groups() => Assert.True(Nicknames.GroupCount >= 150, $"{Nicknames.GroupCount} groups");

    [Fact]
    public void Table_EmbeddedFileIsWellFormed()
    {
        using var stream = typeof(Nicknames).Assembly.GetManifestResourceStream(Nicknames.ResourceName);
        Assert.NotNull(stream);
        using var reader = new StreamReader(stream);
        var groups = Nicknames.Parse(reader);
        Assert.All(groups.Keys, k => Assert.Equal(Text.FoldKey(k), k));
    }

    [Fact]
    public void Table_FormalNamesAreNotRepeatedAsFormalNames()
    {
        using var stream = typeof(Nicknames).Assembly.GetManifestResourceStream(Nicknames.ResourceName)!;
        using var reader = new StreamReader(stream);
        var formal = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            var names = line.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (names.Length > 0)
            {
                Assert.True(names.Length > 1, $"a group of one name is no equivalence: line for {names[0]}");
                Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
                formal.Add(names[0]);
            }
        }

        Assert.Equal(formal.Count, formal.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Parse_CommentsAndBlankLines_AreIgnored()
    {
        var groups = Nicknames.Parse(new StringReader("# heading\n\nTERENCE TERRY # trailing comment\n  \nTHERESA TERRY TESS\n"));

        Assert.Equal([0], groups["TERENCE"]);
        Assert.Equal([0, 1], groups["TERRY"]);
        Assert.Equal([1], groups["TESS"]);
        Assert.DoesNotContain("#", groups.Keys);
    }

    [Fact]
    public void Parse_LowerCaseName_FailsNamingTheLineNotTheText()
    {
        var error = Assert.Throws<FormatException>(() => Nicknames.Parse(new StringReader("JOHN JACK\nmary molly\n")));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("mary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AreEquivalent_FromManyThreads_AgreesEverywhere()
    {
        var results = new bool[64];
        Parallel.For(0, results.Length, i => results[i] = Nicknames.AreEquivalent("WILLIAM", "BILLY"));
        Assert.All(results, Assert.True);
    }

    [Fact]
    public void AreEquivalent_AfterLoading_DoesNotAllocate()
    {
        Nicknames.AreEquivalent("WILLIAM", "BILL");
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Nicknames.AreEquivalent("TERENCE", "THERESA");
            Nicknames.AreEquivalent("MARGARET", "PEGGY");
            Nicknames.Groups("TERRY");
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
