using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace CitizenHub.Hub;

/// <summary>
/// Every broken validation attribute (<c>[Required]</c>, <c>[Range]</c>, …) on an options object and, through the members
/// marked <see cref="ValidateObjectMembersAttribute"/>, on the objects nested in it, each as
/// <c>Sync.BatchSize: 0 is out of range; allowed 1 to 10000</c>.
/// </summary>
/// <remarks>
/// <c>ValidateDataAnnotations</c> checks only the top object's own properties, so a nested <c>[Range]</c> never ran; and
/// the options source generator's messages name neither the value nor a settings path an operator can find in the
/// file. One walk gives both the start-up check and <c>config validate</c> the same messages.
/// </remarks>
public static class OptionsProblems
{
    /// <summary>Each problem as <c>path: what is wrong; what is allowed</c>; empty when every attribute holds.</summary>
    public static IReadOnlyList<string> Find(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        Walk(options, "", problems);
        return problems;
    }

    private static void Walk(object options, string path, List<string> problems)
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanRead || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var where = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            var value = property.GetValue(options);
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>(inherit: true))
            {
                if (!attribute.IsValid(value))
                {
                    problems.Add($"{where}: {Describe(attribute, value, where)}");
                }
            }

            if (value is not null && property.IsDefined(typeof(ValidateObjectMembersAttribute), inherit: true))
            {
                Walk(value, where, problems);
            }
        }
    }

    private static string Describe(ValidationAttribute attribute, object? value, string where) => attribute switch
    {
        RequiredAttribute => "is required",
        RangeAttribute range => $"{Format(value)} is out of range; allowed {Format(range.Minimum)} to {Format(range.Maximum)}",
        _ => attribute.FormatErrorMessage(where),
    };

    private static string Format(object? value) => value switch
    {
        null => "nothing",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>Refuses <see cref="CitizenHubOptions"/> that break any of their own or their nested options' attributes.</summary>
public sealed class CitizenHubOptionsValidator : IValidateOptions<CitizenHubOptions>
{
    public ValidateOptionsResult Validate(string? name, CitizenHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = OptionsProblems.Find(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
