using CitizenHub.Web.Pages;
using Microsoft.AspNetCore.Http;

namespace CitizenHub.Web;

/// <summary>
/// Errors as a person in a browser should see them: what happened and what to do, never a stack trace or the framework's
/// words. Written for requests that ask for a page (<c>Accept: text/html</c>); API callers keep their problem JSON.
/// </summary>
internal sealed class ErrorPageWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) =>
        context.HttpContext.Request.Headers.Accept.Any(accept => accept?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        var (heading, detail, next) = status switch
        {
            StatusCodes.Status400BadRequest => ("Sorry, that did not work", "The page could not use what was sent: a form may have been open for too long.", "Go back, reload the page and try again."),
            StatusCodes.Status401Unauthorized => ("Sign in to see this page", "This page is for council staff who have signed in.", "Sign in from the start page."),
            StatusCodes.Status403Forbidden => ("You cannot see this page", "Your role does not include this part of CitizenHub.", "Ask your administrator if you need it for your work."),
            StatusCodes.Status404NotFound => ("Page not found", "If you typed the web address, check it is correct.", "Use the menu, or go to the start page."),
            StatusCodes.Status405MethodNotAllowed => ("Page not found", "This address cannot be used that way.", "Use the menu, or go to the start page."),
            StatusCodes.Status429TooManyRequests => ("Too many requests", "You have made more requests in the last minute than the service allows.", "Wait a minute, then try again."),
            _ => ("Sorry, there is a problem with the service", "Nothing you did caused this. It has been recorded for the service's administrators.", "Try again later."),
        };
        var page = CitizenHubWeb.Render<ErrorPage>(new()
        {
            ["Frame"] = PageFrame.For(http), ["Heading"] = heading, ["Detail"] = detail, ["WhatToDo"] = next,
        }, status);
        await page.ExecuteAsync(http).ConfigureAwait(false);
    }
}
