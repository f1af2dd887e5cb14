using CitizenHub.Contracts;

namespace CitizenHub.Api.Access;

/// <summary>
/// Who may call the API and what each role may see: the <c>Api</c> section of the configuration.
/// <code>
/// "Api": {
///   "Keys": [ { "Name": "contact-centre", "Sha256": "9f86d0…", "Roles": [ "agent" ] } ],
///   "Jwt": { "Issuer": "https://login.council.gov.uk", "Audience": "citizenhub", "SigningKey": "base64…" },
///   "Grants": { "steward": [ "general", "benefits" ] },
///   "RequestsPerMinute": 600
/// }
/// </code>
/// </summary>
public sealed class ApiAccessOptions
{
    public const string Section = "Api";

    /// <summary>API keys, held as the SHA-256 of the key (hex): the configuration never holds a usable key.</summary>
    public List<ApiKeyOptions> Keys { get; set; } = [];

    /// <summary>JWT bearer tokens (HMAC-SHA256); null to accept API keys only.</summary>
    public JwtOptions? Jwt { get; set; }

    /// <summary>
    /// The sensitivity classes each role may see, besides <see cref="SourceAttribute.General"/> which every role
    /// reading citizens sees. An attribute of a class not granted is left out of every answer.
    /// </summary>
    public Dictionary<string, string[]> Grants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The purposes each role may give for reading citizens' data (<c>X-Purpose</c>), e.g.
    /// <c>"agent": [ "council tax enquiry", "benefits enquiry" ]</c>. The purpose is the header's text before any
    /// <c>:</c> (what follows is a reference, such as a case number), compared without regard to case. A role not named
    /// may give any purpose; a caller is allowed a purpose any of its roles allows.
    /// </summary>
    public Dictionary<string, string[]> Purposes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether a caller in these roles may read for this purpose.</summary>
    public bool AllowsPurpose(IEnumerable<string> roles, string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        var stated = purpose.Split(':', 2)[0].Trim();
        return roles.Any(role => !Purposes.TryGetValue(role, out var allowed)
            || allowed.Any(a => string.Equals(a.Trim(), stated, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The purposes these roles may give, for telling a caller refused one.</summary>
    public IReadOnlyList<string> PurposesFor(IEnumerable<string> roles) =>
        [.. roles.SelectMany(role => Purposes.GetValueOrDefault(role, [])).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Requests one caller may make per minute; more are refused with 429.</summary>
    /// <value>The default is 600.</value>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>
    /// Refused requests (401, 403, 429) recorded in the audit trail per minute, all callers together; beyond it they
    /// are counted, and the count written as one row, so that refusals cannot be used to flood the store.
    /// </summary>
    /// <value>The default is 60.</value>
    public int RefusalsAuditedPerMinute { get; set; } = 60;

    /// <summary>The classes a caller holding these roles may see.</summary>
    public IReadOnlySet<string> ClassesFor(IEnumerable<string> roles)
    {
        var classes = new HashSet<string>(StringComparer.Ordinal) { SourceAttribute.General };
        foreach (var role in roles)
        {
            if (Grants.TryGetValue(role, out var granted))
            {
                classes.UnionWith(granted);
            }
        }

        return classes;
    }
}

public sealed class ApiKeyOptions
{
    /// <summary>Who holds the key: it names the caller in the audit trail.</summary>
    public string Name { get; set; } = "";

    /// <summary>SHA-256 of the key, hex.</summary>
    public string Sha256 { get; set; } = "";

    public List<string> Roles { get; set; } = [];
}

public sealed class JwtOptions
{
    public string Issuer { get; set; } = "";

    public string Audience { get; set; } = "";

    /// <summary>The HMAC-SHA256 signing key, base64 (at least 32 bytes).</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>The claim that lists the caller's roles.</summary>
    /// <value>The default is <c>roles</c>.</value>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>
    /// How far the token's times may be from this server's clock: a number of seconds (<c>30</c>) or a time span
    /// (<c>00:00:30</c>), at most five minutes. Text, not a <see cref="TimeSpan"/>: bound as one, <c>30</c> would mean 30 days.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    public string? ClockSkew { get; set; }

    /// <summary>The most <see cref="ClockSkew"/> may be: the framework's own default, which was this API's before.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(30);

    /// <summary><see cref="ClockSkew"/> read; null when it is neither seconds nor a time span from zero to <see cref="MaxClockSkew"/>.</summary>
    public TimeSpan? ClockSkewValue()
    {
        var text = ClockSkew?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return DefaultClockSkew;
        }

        TimeSpan skew;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            skew = TimeSpan.FromSeconds(seconds);
        }
        else if (!TimeSpan.TryParseExact(text, "c", System.Globalization.CultureInfo.InvariantCulture, out skew))
        {
            return null;
        }

        return skew >= TimeSpan.Zero && skew <= MaxClockSkew ? skew : null;
    }
}
