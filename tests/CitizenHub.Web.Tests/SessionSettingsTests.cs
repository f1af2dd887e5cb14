using System.Text.Json.Nodes;
using CitizenHub.Adapters.Testing;
using CitizenHub.Host;
using CitizenHub.TestKit;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CitizenHub.Web.Tests;

/// <summary>The session cookie as the configuration's <c>Web</c> section sets it, composed as <c>serve</c> composes it.</summary>
public sealed class SessionSettingsTests
{
    [Fact]
    public async Task WebSection_SetsTheSessionsIdleTimeout_AndTheCookieIsHttpOnlySameSiteAndSliding()
    {
        using var folder = new TempDirectory();
        TwoSources.WriteTo(folder);
        var root = JsonNode.Parse(ApiCallers.WithApi(TwoSources.Config))!.AsObject();
        root["Web"] = new JsonObject { ["IdleTimeout"] = "00:05:00", ["SessionLifetime"] = "04:00:00" };
        var config = folder.Write("citizenhub.json", root.ToJsonString());

        await using var app = HubComposition.BuildWebApplication(HubComposition.Load(config), urls: null);
        var cookie = app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(PageSession.Scheme);
        var web = app.Services.GetRequiredService<IOptions<WebOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(5), cookie.ExpireTimeSpan);
        Assert.True(cookie.SlidingExpiration);
        Assert.True(cookie.Cookie.HttpOnly);
        Assert.Equal(SameSiteMode.Strict, cookie.Cookie.SameSite);
        Assert.Equal(CookieSecurePolicy.SameAsRequest, cookie.Cookie.SecurePolicy);
        Assert.Equal(TimeSpan.FromHours(4), web.SessionLifetime);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
