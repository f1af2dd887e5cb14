using System.Globalization;
using System.Runtime.Serialization;
using System.ServiceModel;

namespace CitizenHub.Samples.LegacyHousing;

/// <summary>The operation an old housing management system offers: tenancies changed since a time, a page at a time.</summary>
[ServiceContract(Namespace = TenancyService.Namespace)]
public interface ITenancyService
{
    [OperationContract]
    TenancyPage GetTenancies(string changedSince, string pageToken, int pageSize);
}

[DataContract(Namespace = TenancyService.Namespace)]
public sealed class TenancyPage
{
    [DataMember(Order = 1)]
    public List<Tenancy> Tenancies { get; set; } = [];

    /// <summary>Empty on the last page.</summary>
    [DataMember(Order = 2)]
    public string NextPageToken { get; set; } = "";

    /// <summary>The latest change time served, to ask "changed since" next time.</summary>
    [DataMember(Order = 3)]
    public string Watermark { get; set; } = "";
}

/// <summary>A tenancy's lead tenant, as the housing system holds them.</summary>
[DataContract(Namespace = TenancyService.Namespace)]
public sealed class Tenancy
{
    [DataMember(Order = 1)]
    public string TenancyRef { get; set; } = "";

    [DataMember(Order = 2)]
    public string Title { get; set; } = "";

    [DataMember(Order = 3)]
    public string Surname { get; set; } = "";

    [DataMember(Order = 4)]
    public string Forenames { get; set; } = "";

    /// <summary>dd-MMM-yyyy (<c>04-MAR-1950</c>, the Oracle default the system was built on), or empty.</summary>
    [DataMember(Order = 5)]
    public string DateOfBirth { get; set; } = "";

    [DataMember(Order = 6)]
    public string NiNumber { get; set; } = "";

    [DataMember(Order = 7)]
    public string AddressLine1 { get; set; } = "";

    [DataMember(Order = 8)]
    public string AddressLine2 { get; set; } = "";

    [DataMember(Order = 9)]
    public string Town { get; set; } = "";

    [DataMember(Order = 10)]
    public string Postcode { get; set; } = "";

    [DataMember(Order = 11)]
    public string Phone { get; set; } = "";

    /// <summary>dd-MMM-yyyy.</summary>
    [DataMember(Order = 12)]
    public string TenancyStart { get; set; } = "";

    /// <summary>A support need the housing officer recorded (<c>MOBILITY</c>, <c>MENTAL HEALTH</c>), or empty: special-category data.</summary>
    [DataMember(Order = 13)]
    public string Vulnerability { get; set; } = "";

    [DataMember(Order = 14)]
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Serves tenancies from a book, ordered by change time, paged by position.</summary>
public sealed class TenancyService(TenancyBook book) : ITenancyService
{
    public const string Namespace = "http://council.example/housing";

    public TenancyPage GetTenancies(string changedSince, string pageToken, int pageSize)
    {
        var since = DateTimeOffset.TryParse(changedSince, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var s) ? s : DateTimeOffset.MinValue;
        var changed = book.Snapshot().Where(t => t.UpdatedAt > since).OrderBy(t => t.UpdatedAt).ThenBy(t => t.TenancyRef, StringComparer.Ordinal).ToList();
        var offset = int.TryParse(pageToken, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var size = Math.Clamp(pageSize, 1, 500);
        var page = changed.Skip(offset).Take(size).ToList();
        var more = offset + size < changed.Count;
        return new TenancyPage
        {
            Tenancies = page,
            NextPageToken = more ? (offset + size).ToString(CultureInfo.InvariantCulture) : "",
            Watermark = changed.Count == 0 ? changedSince : changed[^1].UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
        };
    }
}

/// <summary>The system's tenancies; tests add and change them while the service runs.</summary>
public sealed class TenancyBook
{
    private readonly Lock _lock = new();
    private readonly List<Tenancy> _tenancies = [];

    public TenancyBook()
    {
    }

    public TenancyBook(IEnumerable<Tenancy> tenancies)
    {
        ArgumentNullException.ThrowIfNull(tenancies);
        foreach (var tenancy in tenancies)
        {
            Put(tenancy);
        }
    }

    public void Put(Tenancy tenancy)
    {
        ArgumentNullException.ThrowIfNull(tenancy);
        lock (_lock)
        {
            _tenancies.RemoveAll(t => t.TenancyRef == tenancy.TenancyRef);
            _tenancies.Add(tenancy);
        }
    }

    public List<Tenancy> Snapshot()
    {
        lock (_lock)
        {
            return [.. _tenancies];
        }
    }

    /// <summary>A few fictional tenants of a Staffordshire council.</summary>
    public static TenancyBook Sample()
    {
        var book = new TenancyBook();
        var at = new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.Zero);
        (string Ref, string Surname, string Forenames, string Dob, string Ni, string Line1, string Postcode)[] rows =
        [
            ("HT-20231", "HUGHES", "MARGARET", "04-MAR-1950", "JG103792A", "14 WESTON ROAD", "ST16 3RZ"),
            ("HT-20232", "SMITH", "JOHN", "01-MAY-1960", "", "FLAT 3 CASTLE HOUSE", "ST16 2LT"),
            ("HT-20233", "PATEL", "PRIYA", "17-NOV-1979", "PC482915B", "22 LICHFIELD ROAD", "ST17 4JX"),
            ("HT-20243", "ADEYEMI", "FOLAKE", "30-MAY-1993", "MA624093B", "7 HOLMCROFT ROAD", "ST16 1JG"),
            ("HT-20244", "FLETCHER", "WAYNE", "03-DEC-1976", "", "41 RIVERWAY", "ST16 3TH"),
        ];
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            book.Put(new Tenancy
            {
                TenancyRef = r.Ref, Surname = r.Surname, Forenames = r.Forenames, DateOfBirth = r.Dob, NiNumber = r.Ni,
                AddressLine1 = r.Line1, Town = "STAFFORD", Postcode = r.Postcode, TenancyStart = "01-APR-2004", UpdatedAt = at.AddMinutes(i),
            });
        }

        return book;
    }
}
