namespace CitizenHub.Matching.Tests;

public sealed class DoubleMetaphoneTests
{
    [Theory]
    [InlineData("SMITH", "SM0", "XMT")]
    [InlineData("SMYTH", "SM0", "XMT")]
    [InlineData("SCHMIDT", "XMT", "SMT")]
    [InlineData("SCHNEIDER", "XNTR", "SNTR")]
    [InlineData("SNIDER", "SNTR", "XNTR")]
    [InlineData("THOMPSON", "TMPS", "TMPS")] // TH before OM is T; the P is sounded, so it is not TMSN
    [InlineData("THOMAS", "TMS", "TMS")]
    [InlineData("JOHNSON", "JNSN", "ANSN")]
    [InlineData("CATHERINE", "K0RN", "KTRN")]
    [InlineData("KATHRYN", "K0RN", "KTRN")]
    [InlineData("MACDONALD", "MKTN", "MKTN")]
    [InlineData("MCDONALD", "MKTN", "MKTN")]
    [InlineData("PHILLIPS", "FLPS", "FLPS")]
    [InlineData("FILIPS", "FLPS", "FLPS")]
    [InlineData("RICHARD", "RXRT", "RKRT")]
    [InlineData("AUBREY", "APR", "APR")]
    [InlineData("JOSE", "HS", "HS")]
    [InlineData("OTTO", "AT", "AT")]
    [InlineData("MAURICE", "MRS", "MRS")]
    [InlineData("GEOFF", "JF", "KF")]
    [InlineData("STEVEN", "STFN", "STFN")]
    [InlineData("ZHANG", "JNK", "JNK")]
    [InlineData("BOB", "PP", "PP")]
    [InlineData("TUX", "TKS", "TKS")]
    [InlineData("BRYCE", "PRS", "PRS")]
    [InlineData("DALLAS", "TLS", "TLS")]
    [InlineData("SCHWEIN", "XN", "XFN")]
    [InlineData("THROUGH", "0R", "TR")]
    [InlineData("ARNOW", "ARN", "ARNF")]
    [InlineData("THUMBAIL", "0MPL", "TMPL")]
    [InlineData("CAMPBELL", "KMPL", "KMPL")]
    [InlineData("SCHOOL", "SKL", "SKL")]
    [InlineData("SCHENKER", "XNKR", "SKNK")]
    [InlineData("BACCHUS", "PKS", "PKS")]
    [InlineData("BERTUCCI", "PRTX", "PRTX")]
    [InlineData("TAGLIARO", "TKLR", "TLR")]
    [InlineData("BIAGGI", "PJ", "PK")]
    [InlineData("GALLEGOS", "KLKS", "KKS")]
    [InlineData("ROGIER", "RJ", "RJR")]
    [InlineData("BREAUX", "PR", "PR")]
    [InlineData("LAUGH", "LF", "LF")]
    [InlineData("MCCLAIN", "MKLN", "MKLN")]
    [InlineData("ACCIDENT", "AKST", "AKST")]
    [InlineData("BARTOSZ", "PRTS", "PRTX")]
    [InlineData("JABLONSKI", "JPLN", "APLN")]
    [InlineData("YABLONSKY", "APLN", "APLN")]
    [InlineData("MICHAEL", "MKL", "MXL")]
    [InlineData("XAVIER", "SF", "SFR")]
    [InlineData("KNIGHT", "NT", "NT")]
    [InlineData("WRIGHT", "RT", "RT")]
    [InlineData("HUGH", "H", "H")]
    [InlineData("DANGER", "TNJR", "TNKR")]
    [InlineData("EDGE", "AJ", "AJ")]
    [InlineData("CZERNY", "SRN", "XRN")]
    [InlineData("WASSERMAN", "ASRM", "FSRM")]
    [InlineData("SUGAR", "XKR", "SKR")]
    public void Encode_KnownNames_GivePhilipsCodes(string word, string primary, string alternate) =>
        Assert.Equal((primary, alternate), DoubleMetaphone.Encode(word));

    [Theory]
    [InlineData("CATHERINE", "KATHRYN")]
    [InlineData("MACDONALD", "MCDONALD")]
    [InlineData("PHILLIPS", "FILIPS")]
    [InlineData("SMITH", "SMYTH")]
    [InlineData("STEPHEN", "STEVEN")]
    [InlineData("BRIAN", "BRYAN")]
    public void Encode_SpellingVariants_ShareThePrimaryCode(string a, string b) =>
        Assert.Equal(DoubleMetaphone.Encode(a).Primary, DoubleMetaphone.Encode(b).Primary);

    [Theory]
    [InlineData("SMITH", "SCHMIDT")]
    [InlineData("SNIDER", "SCHNEIDER")]
    [InlineData("JABLONSKI", "YABLONSKY")]
    public void Encode_AnglicisedNames_ShareACodeAcrossPrimaryAndAlternate(string a, string b)
    {
        var (aPrimary, aAlternate) = DoubleMetaphone.Encode(a);
        var (bPrimary, bAlternate) = DoubleMetaphone.Encode(b);
        Assert.True(aPrimary == bPrimary || aPrimary == bAlternate || aAlternate == bPrimary || aAlternate == bAlternate);
    }

    [Fact]
    public void Encode_LongName_IsCutToFourCharacters()
    {
        var (primary, alternate) = DoubleMetaphone.Encode("SCHERMERHORN");
        Assert.Equal(("XRMR", "SKRM"), (primary, alternate));
    }

    [Fact]
    public void Encode_LowerCase_IsReadAsUpperCase() => Assert.Equal(DoubleMetaphone.Encode("SMITH"), DoubleMetaphone.Encode("smith"));

    [Fact]
    public void Encode_Empty_GivesEmptyCodes() => Assert.Equal(("", ""), DoubleMetaphone.Encode(""));

    [Fact]
    public void Encode_Null_Throws() => Assert.Throws<ArgumentNullException>(() => DoubleMetaphone.Encode(null!));
}
