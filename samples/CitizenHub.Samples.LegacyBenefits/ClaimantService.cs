using System.Globalization;
using System.Runtime.Serialization;
using System.ServiceModel;

namespace CitizenHub.Samples.LegacyBenefits;

/// <summary>The operation an old benefits system offers: claimants changed since a time, a page at a time.</summary>
[ServiceContract(Namespace = ClaimantService.Namespace)]
public interface IClaimantService
{
    [OperationContract]
    ClaimantPage GetClaimants(string changedSince, string pageToken, int pageSize);
}

[DataContract(Namespace = ClaimantService.Namespace)]
public sealed class ClaimantPage
{
    [DataMember(Order = 1)]
    public List<Claimant> Claimants { get; set; } = [];

    /// <summary>Empty on the last page.</summary>
    [DataMember(Order = 2)]
    public string NextPageToken { get; set; } = "";

    /// <summary>The latest change time served, to ask "changed since" next time.</summary>
    [DataMember(Order = 3)]
    public string Watermark { get; set; } = "";
}

[DataContract(Namespace = ClaimantService.Namespace)]
public sealed class Claimant
{
    [DataMember(Order = 1)]
    public string Ref { get; set; } = "";

    [DataMember(Order = 2)]
    public string Surname { get; set; } = "";

    [DataMember(Order = 3)]
    public string Forenames { get; set; } = "";

    /// <summary>yyyy-MM-dd, or empty.</summary>
    [DataMember(Order = 4)]
    public string DateOfBirth { get; set; } = "";

    [DataMember(Order = 5)]
    public string NiNumber { get; set; } = "";

    [DataMember(Order = 6)]
    public string Postcode { get; set; } = "";

    [DataMember(Order = 7)]
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Serves claimants from a list, ordered by change time, paged by position.</summary>
public sealed class ClaimantService(ClaimantBook book) : IClaimantService
{
    public const string Namespace = "http://council.example/benefits";

    public ClaimantPage GetClaimants(string changedSince, string pageToken, int pageSize)
    {
        var since = DateTimeOffset.TryParse(changedSince, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var s) ? s : DateTimeOffset.MinValue;
        var changed = book.Snapshot().Where(c => c.UpdatedAt > since).OrderBy(c => c.UpdatedAt).ThenBy(c => c.Ref, StringComparer.Ordinal).ToList();
        var offset = int.TryParse(pageToken, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var size = Math.Clamp(pageSize, 1, 500);
        var page = changed.Skip(offset).Take(size).ToList();
        var more = offset + size < changed.Count;
        return new ClaimantPage
        {
            Claimants = page,
            NextPageToken = more ? (offset + size).ToString(CultureInfo.InvariantCulture) : "",
            Watermark = changed.Count == 0 ? changedSince : changed[^1].UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
        };
    }
}

/// <summary>The system's claimants; tests add and change them while the service runs.</summary>
public sealed class ClaimantBook
{
    private readonly Lock _lock = new();
    private readonly List<Claimant> _claimants = [];

    public void Put(Claimant claimant)
    {
        ArgumentNullException.ThrowIfNull(claimant);
        lock (_lock)
        {
            _claimants.RemoveAll(c => c.Ref == claimant.Ref);
            _claimants.Add(claimant);
        }
    }

    public List<Claimant> Snapshot()
    {
        lock (_lock)
        {
            return [.. _claimants];
        }
    }

    /// <summary>A few fictional claimants of a Staffordshire council.</summary>
    public static ClaimantBook Sample()
    {
        var book = new ClaimantBook();
        var at = new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.Zero);
        (string Ref, string Surname, string Forenames, string Dob, string Ni, string Postcode)[] rows =
        [
            ("HB-20231", "HUGHES", "MARGARET", "1950-03-04", "JG103792A", "ST16 3RZ"),
            ("HB-20232", "SMITH", "JOHN", "1960-05-01", "", "ST16 2LT"),
            ("HB-20233", "PATEL", "PRIYA", "1979-11-17", "PC482915B", "ST17 4JX"),
            ("HB-20243", "ADEYEMI", "FOLAKE", "1993-05-30", "MA624093B", "ST4 1BU"),
            ("HB-20244", "FLETCHER", "WAYNE", "1976-12-03", "", "ST1 6RP"),
        ];
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            book.Put(new Claimant { Ref = r.Ref, Surname = r.Surname, Forenames = r.Forenames, DateOfBirth = r.Dob, NiNumber = r.Ni, Postcode = r.Postcode, UpdatedAt = at.AddMinutes(i) });
        }

        return book;
    }
}
