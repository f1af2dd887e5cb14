namespace CitizenHub.Web;

/// <summary>A page's address with the query values given (empty ones left out), escaped: what a filter form bookmarks.</summary>
internal sealed class PageQuery(string path)
{
    private readonly List<string> _parts = [];

    public PageQuery Add(string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            _parts.Add($"{name}={Uri.EscapeDataString(value.Trim())}");
        }

        return this;
    }

    public override string ToString() => path + (_parts.Count == 0 ? "" : "?" + string.Join('&', _parts));
}
