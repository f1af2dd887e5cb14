namespace CitizenHub.Web;

/// <summary>A problem with what was entered: the id of the field (the summary links to it) and what to do.</summary>
public sealed record FieldError(string Field, string Message)
{
    public static string? For(IReadOnlyList<FieldError> errors, string field) =>
        errors.FirstOrDefault(e => string.Equals(e.Field, field, StringComparison.Ordinal))?.Message;
}
