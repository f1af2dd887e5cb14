using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;

namespace CitizenHub.Hub.Logging;

/// <summary>
/// What an exception may say about itself where people read it (a log, standard error, a stored failure reason): its
/// type, its codes and the hub's own frames. Its message is not among them unless the hub's own code wrote it, since a
/// driver's, a peer's or a plug-in's message may quote the record it choked on.
/// </summary>
public static partial class ExceptionFacts
{
    /// <summary>
    /// The public properties that name a kind of error and never a value (SQLSTATE, a provider's error number, an HTTP
    /// status, a SOAP fault code, a socket error), on whichever exception type has them: an allow-list of names, so an
    /// exception type no one has seen yet contributes nothing else.
    /// </summary>
    private static readonly HashSet<string> CodeProperties = new(StringComparer.Ordinal)
    {
        "SqlState", "ErrorCode", "SqliteErrorCode", "SqliteExtendedErrorCode", "Number", "StatusCode", "HttpRequestError",
        "SocketErrorCode", "FaultCode", "Failure", "Attempts",
    };

    /// <summary>One code: a number, an enum, or a short token of the shape codes have; never free text.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodeShape();

    /// <summary>The type's name and its codes, e.g. <c>PostgresException (SqlState 22008)</c>: fit for an operator to read.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var codes = Codes(exception);
        return codes.Count == 0 ? exception.GetType().Name : $"{exception.GetType().Name} ({string.Join(", ", codes)})";
    }

    /// <summary>The exception's codes as <c>Name value</c>, read from the properties on the allow-list.</summary>
    public static IReadOnlyList<string> Codes(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var codes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Most derived first: MySqlException hides ExternalException.ErrorCode with its own, the one that means something.
        for (var type = exception.GetType(); type is not null && type != typeof(Exception); type = type.BaseType)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (!CodeProperties.Contains(property.Name) || property.GetIndexParameters().Length > 0 || !seen.Add(property.Name))
                {
                    continue;
                }

                if (CodeText(Read(property, exception)) is { } text)
                {
                    codes.Add($"{property.Name} {text}");
                }
            }
        }

        return codes;
    }

    /// <summary>The frames of the hub's own code, outermost last, as <c>Type.Method</c>: where it failed, never what with.</summary>
    public static IReadOnlyList<string> OwnFrames(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var frames = new List<string>();
        foreach (var frame in new StackTrace(exception, fNeedFileInfo: false).GetFrames())
        {
            if (frame.GetMethod() is { DeclaringType: { } type } method && IsOwn(type.Assembly))
            {
                frames.Add(Name(type, method));
            }
        }

        return frames;
    }

    /// <summary>
    /// Whether the message was written by the hub's own code (the frame that threw is in one of the hub's own assemblies,
    /// loaded with the executable rather than from a plug-in folder), and so is held to quoting no personal data. A
    /// library's or a plug-in's message is never shown.
    /// </summary>
    public static bool HasOwnMessage(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.TargetSite?.DeclaringType?.Assembly is { } assembly && IsOwn(assembly);
    }

    /// <summary>The exception's message when <see cref="HasOwnMessage"/>; otherwise <see cref="Describe"/>d, in words around it.</summary>
    public static string OperatorText(Exception exception, string otherwise)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return HasOwnMessage(exception) ? exception.Message : $"{otherwise} ({Describe(exception)})";
    }

    private static bool IsOwn(Assembly assembly) =>
        assembly.GetName().Name is { } name
        && (name.StartsWith("CitizenHub.", StringComparison.Ordinal) || name == "citizenhub")
        && AssemblyLoadContext.GetLoadContext(assembly) == AssemblyLoadContext.Default;

    private static string Name(Type type, MethodBase method)
    {
        // An async method's frames are in its compiler-made state machine, <ReadAsync>d__12.MoveNext: name the method.
        if (type.Name.StartsWith('<') && type.DeclaringType is { } outer && type.Name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end)
        {
            return $"{outer.FullName}.{type.Name[1..end]}";
        }

        return $"{type.FullName}.{method.Name}";
    }

    private static object? Read(PropertyInfo property, Exception exception)
    {
        try
        {
            return property.GetValue(exception);
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    private static string? CodeText(object? value) => value switch
    {
        null => null,
        Enum e => e.ToString(),
        int or long or short or byte or uint or ulong or ushort or sbyte => Convert.ToString(value, CultureInfo.InvariantCulture),
        string s when CodeShape().IsMatch(s) => s,
        _ => null,
    };
}
