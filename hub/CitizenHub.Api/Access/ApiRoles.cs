namespace CitizenHub.Api.Access;

/// <summary>
/// The callers' roles. Every endpoint names the roles it serves (<see cref="ApiPolicies"/>); an endpoint that
/// names none is closed to everyone, so a new endpoint is never open by accident.
/// </summary>
public static class ApiRoles
{
    /// <summary>A contact-centre agent: reads and searches citizens.</summary>
    public const string Agent = "agent";

    /// <summary>A data steward: works the review queue, merges and splits; reads citizens to do so.</summary>
    public const string Steward = "steward";

    /// <summary>An administrator: restriction of processing, subject access exports; reads citizens.</summary>
    public const string Admin = "admin";

    /// <summary>An auditor: reads the audit trail, and nothing of a citizen's data.</summary>
    public const string Auditor = "auditor";

    public static IReadOnlyList<string> All { get; } = [Agent, Steward, Admin, Auditor];
}

/// <summary>The authorization policies endpoints state, each a set of roles.</summary>
public static class ApiPolicies
{
    /// <summary>Reading citizens' data: agents, stewards, administrators.</summary>
    public const string ReadCitizens = "read-citizens";

    /// <summary>The steward queue and its decisions: stewards, administrators.</summary>
    public const string Steward = "steward";

    /// <summary>Restriction, exports, sources: administrators.</summary>
    public const string Admin = "admin";

    /// <summary>The audit trail: auditors.</summary>
    public const string Audit = "audit";

    internal static IReadOnlyDictionary<string, string[]> Roles { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [ReadCitizens] = [ApiRoles.Agent, ApiRoles.Steward, ApiRoles.Admin],
        [Steward] = [ApiRoles.Steward, ApiRoles.Admin],
        [Admin] = [ApiRoles.Admin],
        [Audit] = [ApiRoles.Auditor],
    };
}
