using Microsoft.AspNetCore.Http;

namespace Orleans.ConvoOrchestrator.Silo.Http;

/// <summary>
/// Gives the problems ASP.NET Core writes by itself (404 for no route, 405 for a wrong method, 500 for an
/// unhandled exception, 400 for a malformed body read) the same shape as the API's own: a <c>kind</c>, the kind
/// as title and a detail that says what happened. Problems the API made keep what they have.
/// </summary>
public static class FrameworkProblems
{
    /// <summary>For <c>ProblemDetailsOptions.CustomizeProblemDetails</c>.</summary>
    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey(Problems.KindMember)) return;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var kind = Problems.KindOf(status);
        problem.Extensions[Problems.KindMember] = kind;
        problem.Title = kind;
        problem.Detail ??= DetailOf(status, context.HttpContext);
    }

    private static string DetailOf(int status, HttpContext http)
    {
        var request = http.Request;
        var target = $"{request.Method} {request.Path}";
        return status switch
        {
            StatusCodes.Status404NotFound => $"nothing is served at {target}; the API's routes are under /api (see the README)",
            StatusCodes.Status405MethodNotAllowed => $"{target} is not allowed; this path takes {http.Response.Headers.Allow}",
            StatusCodes.Status400BadRequest => $"the request to {target} could not be read",
            >= 500 => $"the silo failed to answer {target}; its log says why",
            _ => $"{target} was answered with status {status}",
        };
    }
}
