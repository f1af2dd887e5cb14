using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CitizenHub.TestKit;

/// <summary>
/// One API key per role for tests, and the configuration that admits them. The configuration holds only the keys'
/// SHA-256, as a council's would.
/// </summary>
public static class ApiCallers
{
    public static IReadOnlyDictionary<string, string> KeyByRole { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["agent"] = "test-agent-key-0001",
        ["steward"] = "test-steward-key-0002",
        ["admin"] = "test-admin-key-0003",
        ["auditor"] = "test-auditor-key-0004",
    };

    /// <summary>The <c>Api</c> section: a key per role, stewards granted the <c>benefits</c> class.</summary>
    public static JsonObject Section() => new()
    {
        ["Keys"] = new JsonArray([.. KeyByRole.Select(k => (JsonNode)new JsonObject
        {
            ["Name"] = $"test-{k.Key}",
            ["Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(k.Value))),
            ["Roles"] = new JsonArray(k.Key),
        })]),
        ["Grants"] = new JsonObject { ["steward"] = new JsonArray("benefits") },
        ["Jwt"] = new JsonObject { ["Issuer"] = JwtIssuer, ["Audience"] = JwtAudience, ["SigningKey"] = JwtSigningKey },
    };

    public const string JwtIssuer = "https://login.test.council";

    public const string JwtAudience = "citizenhub";

    /// <summary>A fixed 32-byte test key, base64: tokens signed with it are accepted by the test configuration.</summary>
    public const string JwtSigningKey = "Y2l0aXplbmh1Yi10ZXN0LXNpZ25pbmcta2V5LTMyYnl0ZXMh";

    /// <summary>A configuration with the <c>Api</c> section added.</summary>
    public static string WithApi(string config)
    {
        var root = JsonNode.Parse(config)!.AsObject();
        root["Api"] = Section();
        return root.ToJsonString();
    }
}
