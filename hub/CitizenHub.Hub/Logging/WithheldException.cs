using System.Globalization;
using System.Text;

namespace CitizenHub.Hub.Logging;

/// <summary>
/// What a log event carries in place of an exception: the original's type, codes and the hub's own frames, and its
/// inner exceptions the same way. Its message and its text are made of those alone, so a sink that renders the
/// exception (the console's <c>{Exception}</c>, a JSON formatter) writes nothing the original's message said.
/// </summary>
public sealed class WithheldException : Exception
{
    private readonly string _text;

    public WithheldException()
        : this(new InvalidOperationException())
    {
    }

    public WithheldException(string message)
        : this(new InvalidOperationException(message))
    {
    }

    public WithheldException(string message, Exception innerException)
        : this(new InvalidOperationException(message, innerException))
    {
    }

    private WithheldException(Exception original, WithheldException? inner)
        : base(Summary(original), inner)
    {
        OriginalType = original.GetType().FullName ?? original.GetType().Name;
        Codes = ExceptionFacts.Codes(original);
        OwnFrames = ExceptionFacts.OwnFrames(original);
        HResult = original.HResult;
        var text = new StringBuilder(Message);
        foreach (var frame in OwnFrames)
        {
            text.Append(Environment.NewLine).Append("   at ").Append(frame);
        }

        if (inner is not null)
        {
            text.Append(Environment.NewLine).Append(" ---> ").Append(inner._text);
        }

        _text = text.ToString();
    }

    private WithheldException(Exception original)
        : this(original, null)
    {
    }

    /// <summary>The full name of the exception withheld, e.g. <c>Npgsql.PostgresException</c>.</summary>
    public string OriginalType { get; }

    /// <summary>The withheld exception's codes (see <see cref="ExceptionFacts.Codes"/>).</summary>
    public IReadOnlyList<string> Codes { get; }

    /// <summary>The withheld exception's frames in the hub's own code.</summary>
    public IReadOnlyList<string> OwnFrames { get; }

    public override string StackTrace => string.Join(Environment.NewLine, OwnFrames.Select(f => $"   at {f}"));

    /// <summary>The exception to log in place of <paramref name="exception"/>, inner exceptions included.</summary>
    public static WithheldException From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is WithheldException already)
        {
            return already;
        }

        // The InnerException chain only: an AggregateException's first cause is its InnerException, the rest are left out.
        var inner = exception.InnerException is { } cause ? From(cause) : null;
        return new WithheldException(exception, inner);
    }

    public override string ToString() => _text;

    private static string Summary(Exception original)
    {
        var codes = ExceptionFacts.Codes(original);
        var hresult = string.Create(CultureInfo.InvariantCulture, $"HResult 0x{original.HResult:X8}");
        return $"{original.GetType().FullName} ({string.Join(", ", codes.Append(hresult))}); message withheld";
    }
}
