namespace CitizenHub.Matching.Tests;

public sealed class StringSimilarityTests
{
    [Theory]
    [InlineData("MARTHA", "MARHTA", 0.9611)]
    [InlineData("DWAYNE", "DUANE", 0.8400)]
    [InlineData("DIXON", "DICKSONX", 0.8133)]
    [InlineData("JONES", "JOHNSON", 0.8324)]
    [InlineData("SHACKLEFORD", "SHACKELFORD", 0.9818)]
    public void JaroWinkler_PublishedExamples_MatchWinklersValues(string a, string b, double expected) =>
        Assert.Equal(expected, StringSimilarity.JaroWinkler(a, b), 4);

    [Fact]
    public void JaroWinkler_EqualStrings_ScoreOne() => Assert.Equal(1.0, StringSimilarity.JaroWinkler("HUGHES", "HUGHES"));

    [Theory]
    [InlineData("", "SMITH")]
    [InlineData("SMITH", "")]
    [InlineData("", "")]
    public void JaroWinkler_EitherEmpty_ScoresZero(string a, string b) => Assert.Equal(0.0, StringSimilarity.JaroWinkler(a, b));

    [Fact]
    public void JaroWinkler_NothingInCommon_ScoresZero() => Assert.Equal(0.0, StringSimilarity.JaroWinkler("ABC", "XYZ"));

    [Fact]
    public void JaroWinkler_IsSymmetric() =>
        Assert.Equal(StringSimilarity.JaroWinkler("CATHERINE", "KATHRYN"), StringSimilarity.JaroWinkler("KATHRYN", "CATHERINE"), 12);

    [Fact]
    public void JaroWinkler_SharedPrefix_ScoresAboveJaroAlone()
    {
        // Jaro for MARTHA/MARHTA is 0.9444; the three-letter prefix lifts it.
        Assert.True(StringSimilarity.JaroWinkler("MARTHA", "MARHTA") > 0.9445);
    }

    [Fact]
    public void JaroWinkler_PrefixBonusStopsAtFourCharacters()
    {
        // Five leading characters agree, but only four earn the bonus.
        var five = StringSimilarity.JaroWinkler("ABCDEX", "ABCDEY");
        var expectedJaro = ((5.0 / 6) + (5.0 / 6) + 1) / 3;
        Assert.Equal(expectedJaro + (4 * 0.1 * (1 - expectedJaro)), five, 10);
    }

    [Fact]
    public void JaroWinkler_LongStrings_UseTheHeapAndStillWork()
    {
        var a = new string('A', 300) + "B";
        var b = new string('A', 300) + "C";
        Assert.InRange(StringSimilarity.JaroWinkler(a, b), 0.99, 1.0);
    }

    [Theory]
    [InlineData("SMITH", "SMITH", 0)]
    [InlineData("SMITH", "SMYTH", 1)]
    [InlineData("SMITH", "SMIHT", 1)] // adjacent transposition counts once
    [InlineData("SMITH", "SMITHS", 1)]
    [InlineData("SMITH", "MITH", 1)]
    [InlineData("KITTEN", "SITTING", 3)]
    [InlineData("CA", "ABC", 3)] // optimal string alignment: no substring is edited twice
    [InlineData("", "ABC", 3)]
    [InlineData("ABC", "", 3)]
    [InlineData("", "", 0)]
    public void DamerauLevenshtein_WithinMax_IsTheExactDistance(string a, string b, int expected) =>
        Assert.Equal(expected, StringSimilarity.DamerauLevenshtein(a, b, 5));

    [Theory]
    [InlineData("SMITH", "JONES", 2)]
    [InlineData("A", "ABCDEFG", 2)]
    [InlineData("KITTEN", "SITTING", 2)]
    [InlineData("ABCDEFGH", "HGFEDCBA", 0)]
    public void DamerauLevenshtein_AboveMax_IsMaxPlusOne(string a, string b, int max) =>
        Assert.Equal(max + 1, StringSimilarity.DamerauLevenshtein(a, b, max));

    [Fact]
    public void DamerauLevenshtein_NegativeMax_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StringSimilarity.DamerauLevenshtein("A", "B", -1));

    [Fact]
    public void DamerauLevenshtein_LongStrings_UseTheHeapAndStillWork()
    {
        var a = new string('A', 200) + "XY";
        var b = new string('B', 1) + new string('A', 199) + "YX";
        Assert.Equal(2, StringSimilarity.DamerauLevenshtein(a, b, 10));
    }

    [Fact]
    public void DamerauLevenshtein_AgreesWithTheTextbookTableOnRandomStrings()
    {
        // A small alphabet makes repeats, shared affixes and transpositions common, which is where
        // the trimming and early exit could go wrong.
        var random = new Random(20261101);
        for (var n = 0; n < 5000; n++)
        {
            var a = RandomWord(random);
            var b = RandomWord(random);
            var max = random.Next(0, 6);
            var exact = TextbookOsa(a, b);
            Assert.Equal(exact > max ? max + 1 : exact, StringSimilarity.DamerauLevenshtein(a, b, max));
        }
    }

    [Fact]
    public void JaroWinkler_AgreesWithAPlainImplementationOnRandomStrings()
    {
        var random = new Random(7);
        for (var n = 0; n < 2000; n++)
        {
            var a = RandomWord(random);
            var b = RandomWord(random);
            Assert.Equal(PlainJaroWinkler(a, b), StringSimilarity.JaroWinkler(a, b), 12);
        }
    }

    [Fact]
    public void ShortKeys_AreComparedWithoutAllocating()
    {
        StringSimilarity.JaroWinkler("CATHERINE", "KATHRYN");
        StringSimilarity.DamerauLevenshtein("CATHERINE", "KATHRYN", 3);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            StringSimilarity.JaroWinkler("CATHERINE", "KATHRYN");
            StringSimilarity.DamerauLevenshtein("MACDONALD", "MCDONNELL", 3);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static string RandomWord(Random random)
    {
        var chars = new char[random.Next(0, 9)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)('A' + random.Next(0, 3));
        }

        return new string(chars);
    }

    private static int TextbookOsa(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static double PlainJaroWinkler(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return 0;
        }

        if (a == b)
        {
            return 1;
        }

        var window = Math.Max(0, (Math.Max(a.Length, b.Length) / 2) - 1);
        var aMatched = new bool[a.Length];
        var bMatched = new bool[b.Length];
        var m = 0;
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = Math.Max(0, i - window); j <= Math.Min(b.Length - 1, i + window); j++)
            {
                if (!bMatched[j] && a[i] == b[j])
                {
                    aMatched[i] = bMatched[j] = true;
                    m++;
                    break;
                }
            }
        }

        if (m == 0)
        {
            return 0;
        }

        var aOrder = a.Where((_, i) => aMatched[i]).ToArray();
        var bOrder = b.Where((_, j) => bMatched[j]).ToArray();
        var t = aOrder.Zip(bOrder).Count(p => p.First != p.Second) / 2;
        var jaro = (((double)m / a.Length) + ((double)m / b.Length) + ((double)(m - t) / m)) / 3;
        if (jaro < 0.7)
        {
            return jaro;
        }

        var prefix = 0;
        while (prefix < Math.Min(4, Math.Min(a.Length, b.Length)) && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return jaro + (prefix * 0.1 * (1 - jaro));
    }
}
