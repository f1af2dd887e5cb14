namespace CitizenHub.Matching;

/// <summary>
/// Lawrence Philips' Double Metaphone (C/C++ Users Journal, June 2000), ported rule for rule.
/// It gives each name a primary code for its most likely English pronunciation and an alternate
/// for a second one (<c>SMITH</c> → <c>SM0</c>/<c>XMT</c>, <c>SCHMIDT</c> → <c>XMT</c>/<c>SMT</c>),
/// so the scorer can block and compare on sound when councils' spellings of a name differ.
/// </summary>
/// <remarks>
/// Input is a key as <see cref="Text.FoldKey"/> makes it: upper-case letters A–Z (lower case is
/// upper-cased; other characters are skipped). Codes are at most four characters, as in the original;
/// <c>0</c> (zero) stands for "th" and <c>X</c> for "sh". The alternate equals the primary when the
/// rules give no second pronunciation.
/// </remarks>
public static class DoubleMetaphone
{
    /// <summary>The length of a code, as Philips published it.</summary>
    public const int MaxCodeLength = 4;

    /// <summary>The primary and alternate codes of a word; both empty for an empty word.</summary>
    public static (string Primary, string Alternate) Encode(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        Span<char> primary = stackalloc char[MaxCodeLength];
        Span<char> alternate = stackalloc char[MaxCodeLength];
        var encoder = new Encoder(word, primary, alternate);
        encoder.Run();
        var first = new string(primary[..encoder.PrimaryLength]);
        return (first, primary[..encoder.PrimaryLength].SequenceEqual(alternate[..encoder.AlternateLength])
            ? first
            : new string(alternate[..encoder.AlternateLength]));
    }

    private ref struct Encoder
    {
        private readonly ReadOnlySpan<char> _word;
        private readonly Span<char> _primary;
        private readonly Span<char> _alternate;
        private readonly int _last;
        private readonly bool _slavoGermanic;

        public Encoder(ReadOnlySpan<char> word, Span<char> primary, Span<char> alternate)
        {
            _word = word;
            _primary = primary;
            _alternate = alternate;
            _last = word.Length - 1;
            _slavoGermanic = Contains("W") || Contains("K") || Contains("CZ") || Contains("WITZ");
        }

        public int PrimaryLength { get; private set; }

        public int AlternateLength { get; private set; }

        public void Run()
        {
            var current = 0;

            // Silent at the start of a word: GNOME, KNIGHT, PNEUMATIC, WRIGHT, PSYCHE.
            if (AtAny(0, "GN", "KN", "PN", "WR", "PS"))
            {
                current = 1;
            }

            // An initial X sounds as Z (XAVIER), and Z is coded S.
            if (At(0) == 'X')
            {
                Add("S");
                current = 1;
            }

            while ((PrimaryLength < MaxCodeLength || AlternateLength < MaxCodeLength) && current < _word.Length)
            {
                current = At(current) switch
                {
                    'A' or 'E' or 'I' or 'O' or 'U' or 'Y' => Vowel(current),
                    'B' => Doubled(current, 'B', "P"),
                    'C' => C(current),
                    'D' => D(current),
                    'F' => Doubled(current, 'F', "F"),
                    'G' => G(current),
                    'H' => H(current),
                    'J' => J(current),
                    'K' => Doubled(current, 'K', "K"),
                    'L' => L(current),
                    'M' => M(current),
                    'N' => Doubled(current, 'N', "N"),
                    'P' => P(current),
                    'Q' => Doubled(current, 'Q', "K"),
                    'R' => R(current),
                    'S' => S(current),
                    'T' => T(current),
                    'V' => Doubled(current, 'V', "F"),
                    'W' => W(current),
                    'X' => X(current),
                    'Z' => Z(current),
                    _ => current + 1,
                };
            }
        }

        private int Vowel(int current)
        {
            // Only an initial vowel is coded, and every initial vowel as A.
            if (current == 0)
            {
                Add("A");
            }

            return current + 1;
        }

        private int Doubled(int current, char letter, string code)
        {
            Add(code);
            return At(current + 1) == letter ? current + 2 : current + 1;
        }

        private int C(int current)
        {
            // Various Germanic: BACHER, MACHER, but not MACHINE-like -ACHI- or -ACHE-.
            if (current > 1 && !IsVowel(current - 2) && At(current - 1, "ACH")
                && At(current + 2) != 'I' && (At(current + 2) != 'E' || AtAny(current - 2, "BACHER", "MACHER")))
            {
                Add("K");
                return current + 2;
            }

            if (current == 0 && At(current, "CAESAR"))
            {
                Add("S");
                return current + 2;
            }

            // Italian CHIANTI.
            if (At(current, "CHIA"))
            {
                Add("K");
                return current + 2;
            }

            if (At(current, "CH"))
            {
                return CH(current);
            }

            // CZERNY.
            if (At(current, "CZ") && !At(current - 2, "WICZ"))
            {
                Add("S", "X");
                return current + 2;
            }

            // Italian FOCACCIA.
            if (At(current + 1, "CIA"))
            {
                Add("X");
                return current + 3;
            }

            // Double C, but not MCCLELLAN.
            if (At(current, "CC") && !(current == 1 && At(0) == 'M'))
            {
                // BELLOCCHIO but not BACCHUS.
                if (AtAny(current + 2, "I", "E", "H") && !At(current + 2, "HU"))
                {
                    // ACCIDENT, ACCEDE, SUCCEED; otherwise Italian BACCI, BERTUCCI.
                    if ((current == 1 && At(current - 1) == 'A') || AtAny(current - 1, "UCCEE", "UCCES"))
                    {
                        Add("KS");
                    }
                    else
                    {
                        Add("X");
                    }

                    return current + 3;
                }

                // Pierce's rule.
                Add("K");
                return current + 2;
            }

            if (AtAny(current, "CK", "CG", "CQ"))
            {
                Add("K");
                return current + 2;
            }

            if (AtAny(current, "CI", "CE", "CY"))
            {
                // Italian or English.
                if (AtAny(current, "CIO", "CIE", "CIA"))
                {
                    Add("S", "X");
                }
                else
                {
                    Add("S");
                }

                return current + 2;
            }

            Add("K");

            // MAC CAFFREY, MAC GREGOR written as two words.
            if (AtAny(current + 1, " C", " Q", " G"))
            {
                return current + 3;
            }

            return AtAny(current + 1, "C", "K", "Q") && !AtAny(current + 1, "CE", "CI") ? current + 2 : current + 1;
        }

        private int CH(int current)
        {
            // MICHAEL.
            if (current > 0 && At(current, "CHAE"))
            {
                Add("K", "X");
                return current + 2;
            }

            // Greek roots at the start: CHEMISTRY, CHORUS, but not CHORE.
            if (current == 0
                && (AtAny(current + 1, "HARAC", "HARIS") || AtAny(current + 1, "HOR", "HYM", "HIA", "HEM"))
                && !At(0, "CHORE"))
            {
                Add("K");
                return current + 2;
            }

            // Germanic, Greek or otherwise CH for KH: ORCHESTRA, ARCHITECT, ORCHID (but not ARCH),
            // WACHTLER, WECHSLER, but not TICHNER.
            if (AtAny(0, "VAN ", "VON ") || At(0, "SCH")
                || AtAny(current - 2, "ORCHES", "ARCHIT", "ORCHID")
                || AtAny(current + 2, "T", "S")
                || ((AtAny(current - 1, "A", "O", "U", "E") || current == 0)
                    && AtAny(current + 2, "L", "R", "N", "M", "B", "H", "F", "V", "W", " ")))
            {
                Add("K");
            }
            else if (current > 0)
            {
                // MCHUGH.
                if (At(0, "MC"))
                {
                    Add("K");
                }
                else
                {
                    Add("X", "K");
                }
            }
            else
            {
                Add("X");
            }

            return current + 2;
        }

        private int D(int current)
        {
            if (At(current, "DG"))
            {
                // EDGE.
                if (AtAny(current + 2, "I", "E", "Y"))
                {
                    Add("J");
                    return current + 3;
                }

                // EDGAR.
                Add("TK");
                return current + 2;
            }

            Add("T");
            return AtAny(current, "DT", "DD") ? current + 2 : current + 1;
        }

        private int G(int current)
        {
            if (At(current + 1) == 'H')
            {
                return GH(current);
            }

            if (At(current + 1) == 'N')
            {
                if (current == 1 && IsVowel(0) && !_slavoGermanic)
                {
                    Add("KN", "N");
                }
                else if (!At(current + 2, "EY") && At(current + 1) != 'Y' && !_slavoGermanic)
                {
                    // Not CAGNEY.
                    Add("N", "KN");
                }
                else
                {
                    Add("KN");
                }

                return current + 2;
            }

            // TAGLIARO.
            if (At(current + 1, "LI") && !_slavoGermanic)
            {
                Add("KL", "L");
                return current + 2;
            }

            // -GES-, -GEP-, -GEL-, -GIE- and the like at the beginning.
            if (current == 0
                && (At(current + 1) == 'Y'
                    || AtAny(current + 1, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER")))
            {
                Add("K", "J");
                return current + 2;
            }

            // -GER-, -GY-.
            if ((At(current + 1, "ER") || At(current + 1) == 'Y')
                && !AtAny(0, "DANGER", "RANGER", "MANGER")
                && !AtAny(current - 1, "E", "I")
                && !AtAny(current - 1, "RGY", "OGY"))
            {
                Add("K", "J");
                return current + 2;
            }

            // Italian BIAGGI.
            if (AtAny(current + 1, "E", "I", "Y") || AtAny(current - 1, "AGGI", "OGGI"))
            {
                if (AtAny(0, "VAN ", "VON ") || At(0, "SCH") || At(current + 1, "ET"))
                {
                    // Obviously Germanic.
                    Add("K");
                }
                else if (At(current + 1, "IER "))
                {
                    // Always soft in a French ending.
                    Add("J");
                }
                else
                {
                    Add("J", "K");
                }

                return current + 2;
            }

            Add("K");
            return At(current + 1) == 'G' ? current + 2 : current + 1;
        }

        private int GH(int current)
        {
            if (current > 0 && !IsVowel(current - 1))
            {
                Add("K");
                return current + 2;
            }

            // GHISLANE, GHIRADELLI.
            if (current == 0)
            {
                Add(At(current + 2) == 'I' ? "J" : "K");
                return current + 2;
            }

            // Parker's rule, with refinements: HUGH, BOUGH, BROUGHTON.
            if ((current > 1 && AtAny(current - 2, "B", "H", "D"))
                || (current > 2 && AtAny(current - 3, "B", "H", "D"))
                || (current > 3 && AtAny(current - 4, "B", "H")))
            {
                return current + 2;
            }

            // LAUGH, MCLAUGHLIN, COUGH, GOUGH, ROUGH, TOUGH.
            if (current > 2 && At(current - 1) == 'U' && AtAny(current - 3, "C", "G", "L", "R", "T"))
            {
                Add("F");
            }
            else if (current > 0 && At(current - 1) != 'I')
            {
                Add("K");
            }

            return current + 2;
        }

        private int H(int current)
        {
            // Kept only when first or between vowels and before a vowel; this also skips HH.
            if ((current == 0 || IsVowel(current - 1)) && IsVowel(current + 1))
            {
                Add("H");
                return current + 2;
            }

            return current + 1;
        }

        private int J(int current)
        {
            // Obviously Spanish: JOSE, SAN JACINTO.
            if (At(current, "JOSE") || At(0, "SAN "))
            {
                if ((current == 0 && At(current + 4) == ' ') || At(0, "SAN "))
                {
                    Add("H");
                }
                else
                {
                    Add("J", "H");
                }

                return current + 1;
            }

            if (current == 0 && !At(current, "JOSE"))
            {
                // YANKELOVICH / JANKELOWICZ.
                Add("J", "A");
            }
            else if (IsVowel(current - 1) && !_slavoGermanic && (At(current + 1) == 'A' || At(current + 1) == 'O'))
            {
                // Spanish pronunciation of BAJADOR.
                Add("J", "H");
            }
            else if (current == _last)
            {
                Add("J", "");
            }
            else if (!AtAny(current + 1, "L", "T", "K", "S", "N", "M", "B", "Z") && !AtAny(current - 1, "S", "K", "L"))
            {
                Add("J");
            }

            return At(current + 1) == 'J' ? current + 2 : current + 1;
        }

        private int L(int current)
        {
            if (At(current + 1) == 'L')
            {
                // Spanish CABRILLO, GALLEGOS.
                if ((current == _word.Length - 3 && AtAny(current - 1, "ILLO", "ILLA", "ALLE"))
                    || ((AtAny(_last - 1, "AS", "OS") || AtAny(_last, "A", "O")) && At(current - 1, "ALLE")))
                {
                    Add("L", "");
                    return current + 2;
                }

                Add("L");
                return current + 2;
            }

            Add("L");
            return current + 1;
        }

        private int M(int current)
        {
            Add("M");

            // DUMB, THUMB; and MM.
            return (At(current - 1, "UMB") && (current + 1 == _last || At(current + 2, "ER"))) || At(current + 1) == 'M'
                ? current + 2
                : current + 1;
        }

        private int P(int current)
        {
            if (At(current + 1) == 'H')
            {
                Add("F");
                return current + 2;
            }

            // CAMPBELL, RASPBERRY.
            Add("P");
            return AtAny(current + 1, "P", "B") ? current + 2 : current + 1;
        }

        private int R(int current)
        {
            // French ROGIER, but not HOCHMEIER.
            if (current == _last && !_slavoGermanic && At(current - 2, "IE") && !AtAny(current - 4, "ME", "MA"))
            {
                Add("", "R");
            }
            else
            {
                Add("R");
            }

            return At(current + 1) == 'R' ? current + 2 : current + 1;
        }

        private int S(int current)
        {
            // ISLAND, ISLE, CARLISLE, CARLYSLE.
            if (AtAny(current - 1, "ISL", "YSL"))
            {
                return current + 1;
            }

            // SUGAR-.
            if (current == 0 && At(current, "SUGAR"))
            {
                Add("X", "S");
                return current + 1;
            }

            if (At(current, "SH"))
            {
                // Germanic.
                if (AtAny(current + 1, "HEIM", "HOEK", "HOLM", "HOLZ"))
                {
                    Add("S");
                }
                else
                {
                    Add("X");
                }

                return current + 2;
            }

            // Italian and Armenian.
            if (AtAny(current, "SIO", "SIA") || At(current, "SIAN"))
            {
                if (_slavoGermanic)
                {
                    Add("S");
                }
                else
                {
                    Add("S", "X");
                }

                return current + 3;
            }

            // German and anglicisations (SMITH matches SCHMIDT, SNIDER matches SCHNEIDER);
            // also Slavic -SZ- (though Hungarian says S).
            if ((current == 0 && AtAny(current + 1, "M", "N", "L", "W")) || At(current + 1, "Z"))
            {
                Add("S", "X");
                return At(current + 1, "Z") ? current + 2 : current + 1;
            }

            if (At(current, "SC"))
            {
                return SC(current);
            }

            // French RESNAIS, ARTOIS.
            if (current == _last && AtAny(current - 2, "AI", "OI"))
            {
                Add("", "S");
            }
            else
            {
                Add("S");
            }

            return AtAny(current + 1, "S", "Z") ? current + 2 : current + 1;
        }

        private int SC(int current)
        {
            // Schlesinger's rule.
            if (At(current + 2) == 'H')
            {
                // Dutch origin: SCHOOL, SCHOONER; SCHERMERHORN, SCHENKER.
                if (AtAny(current + 3, "OO", "ER", "EN", "UY", "ED", "EM"))
                {
                    if (AtAny(current + 3, "ER", "EN"))
                    {
                        Add("X", "SK");
                    }
                    else
                    {
                        Add("SK");
                    }

                    return current + 3;
                }

                if (current == 0 && !IsVowel(3) && At(3) != 'W')
                {
                    Add("X", "S");
                }
                else
                {
                    Add("X");
                }

                return current + 3;
            }

            if (AtAny(current + 2, "I", "E", "Y"))
            {
                Add("S");
                return current + 3;
            }

            Add("SK");
            return current + 3;
        }

        private int T(int current)
        {
            if (At(current, "TION"))
            {
                Add("X");
                return current + 3;
            }

            if (AtAny(current, "TIA", "TCH"))
            {
                Add("X");
                return current + 3;
            }

            if (At(current, "TH") || At(current, "TTH"))
            {
                // THOMAS, THAMES, or Germanic.
                if (AtAny(current + 2, "OM", "AM") || AtAny(0, "VAN ", "VON ") || At(0, "SCH"))
                {
                    Add("T");
                }
                else
                {
                    Add("0", "T");
                }

                return current + 2;
            }

            Add("T");
            return AtAny(current + 1, "T", "D") ? current + 2 : current + 1;
        }

        private int W(int current)
        {
            // WR can also be in the middle of a word.
            if (At(current, "WR"))
            {
                Add("R");
                return current + 2;
            }

            if (current == 0 && (IsVowel(current + 1) || At(current, "WH")))
            {
                // WASSERMAN should match VASSERMAN; UOMO should match WOMO.
                if (IsVowel(current + 1))
                {
                    Add("A", "F");
                }
                else
                {
                    Add("A");
                }
            }

            // ARNOW should match ARNOFF.
            if ((current == _last && IsVowel(current - 1))
                || AtAny(current - 1, "EWSKI", "EWSKY", "OWSKI", "OWSKY")
                || At(0, "SCH"))
            {
                Add("", "F");
                return current + 1;
            }

            // Polish FILIPOWICZ.
            if (AtAny(current, "WICZ", "WITZ"))
            {
                Add("TS", "FX");
                return current + 4;
            }

            return current + 1;
        }

        private int X(int current)
        {
            // French BREAUX.
            if (!(current == _last && (AtAny(current - 3, "IAU", "EAU") || AtAny(current - 2, "AU", "OU"))))
            {
                Add("KS");
            }

            return AtAny(current + 1, "C", "X") ? current + 2 : current + 1;
        }

        private int Z(int current)
        {
            // Chinese pinyin ZHAO.
            if (At(current + 1) == 'H')
            {
                Add("J");
                return current + 2;
            }

            if (AtAny(current + 1, "ZO", "ZI", "ZA") || (_slavoGermanic && current > 0 && At(current - 1) != 'T'))
            {
                Add("S", "TS");
            }
            else
            {
                Add("S");
            }

            return At(current + 1) == 'Z' ? current + 2 : current + 1;
        }

        /// <summary>
        /// The letter at a position. Philips pads the word with spaces so rules can look past its end;
        /// before the start there is nothing.
        /// </summary>
        private readonly char At(int position) => position < 0
            ? '\0'
            : position >= _word.Length ? ' ' : char.ToUpperInvariant(_word[position]);

        private readonly bool At(int position, string text)
        {
            if (position < 0)
            {
                return false;
            }

            for (var i = 0; i < text.Length; i++)
            {
                if (At(position + i) != text[i])
                {
                    return false;
                }
            }

            return true;
        }

        private readonly bool AtAny(int position, params ReadOnlySpan<string> texts)
        {
            foreach (var text in texts)
            {
                if (At(position, text))
                {
                    return true;
                }
            }

            return false;
        }

        private readonly bool IsVowel(int position) => At(position) is 'A' or 'E' or 'I' or 'O' or 'U' or 'Y';

        private readonly bool Contains(string text)
        {
            for (var i = 0; i + text.Length <= _word.Length; i++)
            {
                if (At(i, text))
                {
                    return true;
                }
            }

            return false;
        }

        private void Add(string both) => Add(both, both);

        private void Add(string primary, string alternate)
        {
            // Letters past the fourth are never kept, so they are never written.
            foreach (var c in primary)
            {
                if (PrimaryLength < MaxCodeLength)
                {
                    _primary[PrimaryLength++] = c;
                }
            }

            foreach (var c in alternate)
            {
                if (AlternateLength < MaxCodeLength)
                {
                    _alternate[AlternateLength++] = c;
                }
            }
        }
    }
}
