using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Orleans.ConvoOrchestrator.Silo.Hosting;

namespace Orleans.ConvoOrchestrator.Silo.Http;

/// <summary>
/// With an API key configured, every request but the health probes must carry one: header <c>X-Api-Key</c>,
/// or <c>Authorization: Bearer</c>. Browsers (events page, dashboard) can't set headers on a navigation, so
/// GET and HEAD also accept it from the cookie the 401 page sets; changes never do (no cross-site writes).
/// A read-only key opens GET and HEAD only; anything else it asks for is refused with 403.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, IReadOnlyList<(string Key, ApiKeyRole Role)> keys)
{
    private readonly (byte[] Key, ApiKeyRole Role)[] _keys = keys.Select(k => (Encoding.UTF8.GetBytes(k.Key), k.Role)).ToArray();

    /// <summary>The <see cref="HttpContext.Items"/> entry holding the request's <see cref="ApiKeyRole"/>.</summary>
    public const string RoleItem = "convo.api-key-role";

    /// <summary>The header carrying the key.</summary>
    public const string Header = "X-Api-Key";

    /// <summary>The cookie carrying the key for browsers (GET and HEAD only).</summary>
    public const string Cookie = "convo_api_key";

    /// <summary>Paths open without a key: liveness and readiness probes reveal nothing and must work for orchestrators.</summary>
    public static readonly string[] OpenPaths = ["/healthz", "/readyz"];

    /// <summary>Checks the request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (OpenPaths.Any(p => request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            await next(context);
            return;
        }
        var role = ApiKeyRole.None;
        foreach (var presented in Presented(request))
        {
            var matched = RoleOf(presented);
            if (matched > role) role = matched;
        }
        if (role == ApiKeyRole.Admin || (role == ApiKeyRole.ReadOnly && IsRead(request)))
        {
            context.Items[RoleItem] = role;
            await next(context);
            return;
        }
        if (role == ApiKeyRole.ReadOnly)
        {
            await Problems.Of(StatusCodes.Status403Forbidden,
                $"this API key is read-only: it reads everything and changes nothing ({request.Method} needs an admin key)").ExecuteAsync(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"convo\"";
        if (HttpMethods.IsGet(request.Method) && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(KeyPage);
            return;
        }
        await Problems.Of(StatusCodes.Status401Unauthorized,
            $"this silo needs its API key: send header {Header}: <key> or Authorization: Bearer <key>").ExecuteAsync(context);
    }

    private static IEnumerable<string> Presented(HttpRequest request)
    {
        if (request.Headers[Header].ToString() is { Length: > 0 } header) yield return header;
        var auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) yield return auth["Bearer ".Length..].Trim();
        if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && request.Cookies[Cookie] is { Length: > 0 } cookie)
            yield return WebUtility.UrlDecode(cookie);
    }

    private static bool IsRead(HttpRequest request) => HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);

    // Constant-time, and every key is compared: neither how much of a guess was right nor which key it resembles shows.
    private ApiKeyRole RoleOf(string presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented);
        var role = ApiKeyRole.None;
        foreach (var (key, keyRole) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(bytes, key) && keyRole > role) role = keyRole;
        }
        return role;
    }

    private const string KeyPage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>ConvoOrchestrator: API key needed</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
          body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f6fa;color:#1d2433;display:grid;place-items:center;min-height:100vh;margin:0}
          form{background:#fff;padding:28px 32px;border-radius:12px;box-shadow:0 4px 24px #0001;min-width:320px}
          h1{font-size:18px;margin:0 0 6px} p{color:#5b6475;margin:0 0 16px}
          input{width:100%;box-sizing:border-box;padding:9px 11px;border:1px solid #cfd5e1;border-radius:8px;font:inherit}
          button{margin-top:12px;padding:9px 16px;border:0;border-radius:8px;background:#3b5bdb;color:#fff;font:inherit;cursor:pointer}
        </style></head>
        <body><form id="f"><h1>API key needed</h1><p>This silo is protected by an API key.</p>
        <input id="k" type="password" placeholder="API key" autocomplete="off" autofocus><button>Open</button></form>
        <script>
          document.getElementById('f').addEventListener('submit', e => {
            e.preventDefault();
            document.cookie = 'convo_api_key=' + encodeURIComponent(document.getElementById('k').value) + '; path=/; SameSite=Strict';
            location.reload();
          });
        </script></body></html>
        """;
}
