namespace CitizenHub.Web;

/// <summary>The web page's settings: the <c>Web</c> section of the configuration.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>A session not used for this long ends (the member of staff signs in again).</summary>
    /// <value>The default is 20 minutes.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>A session ends this long after sign-in, however much it is used: a shift.</summary>
    /// <value>The default is 9 hours.</value>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(9);
}
