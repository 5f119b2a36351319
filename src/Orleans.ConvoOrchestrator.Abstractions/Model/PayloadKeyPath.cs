using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Orleans.ConvoOrchestrator;

/// <summary>
/// A path of property names into a JSON payload (<c>$.order.id</c>), from which <see cref="Policy.IdempotencyKeyPath"/>
/// takes an emit's idempotency key. Plain: clients check paths with it, event grains read keys with it.
/// </summary>
public static class PayloadKeyPath
{
    /// <summary>Most property names in a path.</summary>
    public const int MaxDepth = 16;

    /// <summary>
    /// The property names of <paramref name="path"/> (<c>$</c>, then one or more <c>.name</c>, each name made of
    /// letters, digits, '_' and '-'), or null with <paramref name="error"/> saying what is wrong.
    /// </summary>
    public static string[]? Parse(string path, out string? error)
    {
        error = null;
        if (!path.StartsWith("$.", StringComparison.Ordinal))
        {
            error = $"idempotency_key_path '{path}' must start with \"$.\" (for example \"$.order.id\")";
            return null;
        }
        var names = path[2..].Split('.');
        if (names.Length > MaxDepth)
        {
            error = $"idempotency_key_path has {names.Length} levels; at most {MaxDepth} are allowed";
            return null;
        }
        foreach (var name in names)
        {
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                error = $"idempotency_key_path '{path}': '{name}' is not a property name (letters, digits, '_' and '-')";
                return null;
            }
        }
        return names;
    }

    /// <summary>
    /// The key at <paramref name="names"/> in <paramref name="payloadJson"/>: a string value as it is, any other value
    /// as its JSON text; one longer than <see cref="DefinitionLimits.MaxIdLength"/> as the hex of its SHA-256. Null
    /// when the payload has no such property (or a null there): such an emit is not deduplicated.
    /// </summary>
    public static string? Read(string payloadJson, IReadOnlyList<string> names)
    {
        using var doc = JsonDocument.Parse(payloadJson);
        var at = doc.RootElement;
        foreach (var name in names)
        {
            if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(name, out at)) return null;
        }
        var key = at.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => at.GetString(),
            _ => at.GetRawText(),
        };
        if (string.IsNullOrEmpty(key)) return null;
        return key.Length <= DefinitionLimits.MaxIdLength && !key.Any(char.IsControl)
            ? key
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}
