using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CitizenHub.Api.Access;

/// <summary>
/// Authenticates the <c>X-Api-Key</c> header against the configured keys' SHA-256 hashes. A request without the
/// header is not this scheme's (another may take it); a wrong key fails.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiAccessOptions> access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (Find(access.Value.Keys, values[0]!) is { } key)
        {
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, key.Name), .. key.Roles.Select(r => new Claim(ClaimTypes.Role, r))],
                SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }

        return Task.FromResult(AuthenticateResult.Fail("The API key is not one of the configured keys."));
    }

    /// <summary>The configured key a presented one is (by its hash), or null: for the header here, and the web page's sign-in.</summary>
    public static ApiKeyOptions? Find(IEnumerable<ApiKeyOptions> keys, string presented)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        ApiKeyOptions? found = null;
        foreach (var key in keys)
        {
            // Compare hashes in constant time, and every key: how long a refusal takes must not say how close a guess was.
            if (TryFromHex(key.Sha256, out var expected) && CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found ??= key;
            }
        }

        return found;
    }

    private static bool TryFromHex(string hex, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromHexString(hex);
            return bytes.Length == SHA256.HashSizeInBytes;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

}

/// <summary>API keys as the configuration holds them.</summary>
public static class ApiKeys
{
    /// <summary>The hex SHA-256 of a key, as <see cref="ApiKeyOptions.Sha256"/> holds it.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}
