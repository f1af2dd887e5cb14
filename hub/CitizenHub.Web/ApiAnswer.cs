using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CitizenHub.Web;

/// <summary>
/// What one of the API's handlers answered, for a page to show: the page calls the handler itself (its checks of role,
/// grant, purpose, restriction and its audit row are the API's), and shows the value or says why there is none.
/// </summary>
internal sealed record ApiAnswer<T>(T? Value, ProblemDetails? Problem, string? RedirectedTo)
    where T : class
{
    public bool Succeeded => Value is not null;

    public int Status => Problem?.Status ?? StatusCodes.Status200OK;

    /// <summary>The problem's stable code (<c>citizen-not-found</c>, <c>purpose-not-allowed</c>…).</summary>
    public string? Code => Problem?.Extensions.TryGetValue("code", out var code) == true ? code as string : null;

    public static async Task<ApiAnswer<T>> FromAsync(HttpContext http, Task<IResult> handler)
    {
        var result = await handler.ConfigureAwait(false);
        // The API's validator for its own JSON answers; the page's response is not that answer.
        http.Response.Headers.Remove("ETag");
        return result switch
        {
            Ok<T> ok => new ApiAnswer<T>(ok.Value, null, null),
            ProblemHttpResult problem => new ApiAnswer<T>(null, problem.ProblemDetails, null),
            RedirectHttpResult redirect => new ApiAnswer<T>(null, null, redirect.Url),
            _ => throw new InvalidOperationException($"The API answered the page with {result.GetType().Name}, which it does not show."),
        };
    }
}
