using System.Text;
using CitizenHub.Matching.Identity;
using CitizenHub.TestKit;

namespace CitizenHub.Store.Tests;

public sealed class StoredDigestTests
{
    [Fact]
    public void Encode_TheEnginesDigest_IsItsThirtyTwoBytes_AndDecodesToTheSameHex()
    {
        var digest = IdentityEngine.ContentHash(Records.Person("ct", "1", "Ann", "Lee"));

        var stored = StoredDigest.Encode(digest);

        Assert.Equal(32, stored.Length);
        Assert.Equal(digest, StoredDigest.Decode(stored));
    }

    [Fact]
    public void Encode_LowerCaseHex_DecodesAsTheEngineWritesIt()
    {
        var digest = IdentityEngine.ContentHash(Records.Person("ct", "1", "Ann", "Lee"));

        Assert.Equal(digest, StoredDigest.Decode(StoredDigest.Encode(digest.ToLowerInvariant())));
    }

    [Theory]
    [InlineData("hash")]
    [InlineData("")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("00000000000000000000000000000000000000000000000000000000000000000")]
    public void Encode_NotADigestInHex_IsRefused(string value)
    {
        Assert.Throws<ArgumentException>(() => StoredDigest.Encode(value));
    }

    [Fact]
    public void OfText_TextKeptBeforeThatIsNoDigest_ReadsAsNoRecordsDigest()
    {
        // A value a migration finds that is not hex is kept as its bytes: it reads as hex no record's digest can equal,
        // so the record it belongs to is taken to have changed, never to be unchanged.
        var stored = StoredDigest.OfText("hash");

        Assert.Equal(Encoding.UTF8.GetBytes("hash"), stored);
        Assert.Equal("68617368", StoredDigest.Decode(stored));
    }

    [Fact]
    public void OfText_HexKeptBefore_IsTheSameDigest()
    {
        var digest = IdentityEngine.ContentHash(Records.Person("ct", "1", "Ann", "Lee"));

        Assert.Equal(StoredDigest.Encode(digest), StoredDigest.OfText(digest));
    }
}
