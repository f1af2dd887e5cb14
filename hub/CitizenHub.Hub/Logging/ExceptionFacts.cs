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

                var value = Read(property, exception);
                // ExternalException.ErrorCode is the HResult again unless a provider gives it a meaning of its own.
                if (value is int same && same == exception.HResult && property.Name == "ErrorCode")
                {
                    continue;
                }

                if (CodeText(value) is { } text)
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
            // An async method's awaits leave two frames of it in a row: one is enough.
            if (frame.GetMethod() is { DeclaringType: { } type } method && IsOwn(type.Assembly) && Name(type, method) is var name
                && (frames.Count == 0 || frames[^1] != name))
            {
                frames.Add(name);
            }
        }

        return frames;
    }

    /// <summary>
    /// Whether the message is one the hub writes for an operator, and so is held to quoting no personal data: thrown by
    /// the hub's own code (the frame that threw is in one of its assemblies, loaded with the executable rather than from a
    /// plug-in folder) as one of the two kinds it tells operators with, <see cref="InvalidOperationException"/> (settings,
    /// a source that cannot be read) and <see cref="IOException"/> (files). A library's or a plug-in's message is never
    /// shown, nor one of another kind (an argument or format error is a bug's, and may hold the value it was given).
    /// </summary>
    public static bool HasOwnMessage(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception is InvalidOperationException or IOException
            && exception.TargetSite?.DeclaringType?.Assembly is { } assembly && IsOwn(assembly);
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
        // Async methods, iterators and lambdas run in types the compiler makes (<ReadAsync>d__12.MoveNext,
        // <>c__DisplayClass12_0.<ReadPageAsync>b__0): name the method written, on the type it was written in.
        var owner = type;
        while (owner.Name.StartsWith('<') && owner.DeclaringType is { } outer)
        {
            owner = outer;
        }

        var written = WrittenName().Match(type.Name) is { Success: true } inType ? inType.Groups[1].Value
            : WrittenName().Match(method.Name) is { Success: true } inMethod ? inMethod.Groups[1].Value
            : method.Name;
        return $"{owner.FullName}.{written}";
    }

    [GeneratedRegex(@"<([A-Za-z_][A-Za-z0-9_]*)>", RegexOptions.CultureInvariant)]
    private static partial Regex WrittenName();

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
