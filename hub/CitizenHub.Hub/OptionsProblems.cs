using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
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
public static partial class OptionsProblems
{
    /// <summary>
    /// The hub's options as bound from the configuration with the environment over it, each problem named by its JSON
    /// path and, when an environment variable set it, by that variable.
    /// </summary>
    public static IEnumerable<string> FindBound(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new CitizenHubOptions();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException ex) when (FailedConversion().Match(ex.Message) is { Success: true } failed)
        {
            // The file's types passed the schema, so an environment variable holds text the setting cannot take. The
            // binder's message quotes the value; ours names the setting and what it takes instead.
            var path = failed.Groups["path"].Value.Replace(':', '.');
            return [$"$.{path}{SetBy(path)}: must be {Expected(failed.Groups["type"].Value)}"];
        }

        return Find(options).Select(problem =>
        {
            var path = problem[..problem.IndexOf(':', StringComparison.Ordinal)];
            return $"$.{path}{SetBy(path)}{problem[path.Length..]}";
        });
    }

    /// <summary>" (set by CITIZENHUB_Sync__BatchSize)" when that environment variable gives the setting at this path.</summary>
    public static string SetBy(string path)
    {
        var variable = EnvironmentPrefix + path.Replace(".", "__", StringComparison.Ordinal);
        return Environment.GetEnvironmentVariable(variable) is null ? "" : $" (set by {variable})";
    }

    private static string Expected(string type)
    {
        var enumeration = typeof(CitizenHubOptions).Assembly.GetType(type);
        return enumeration is { IsEnum: true } ? $"one of {string.Join(", ", Enum.GetNames(enumeration))}"
            : type.Contains("System.Int32", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("System.Double", StringComparison.Ordinal) ? "a number"
            : type.Contains("System.TimeSpan", StringComparison.Ordinal) ? "a time span, hh:mm:ss or d.hh:mm:ss"
            : type.Contains("System.Boolean", StringComparison.Ordinal) ? "true or false"
            : $"a {type}";
    }

    [System.Text.RegularExpressions.GeneratedRegex("at '(?<path>[^']+)' to type '(?<type>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex FailedConversion();

    /// <summary>Environment variables with this prefix override the file's settings, <c>__</c> between levels.</summary>
    public const string EnvironmentPrefix = "CITIZENHUB_";


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
