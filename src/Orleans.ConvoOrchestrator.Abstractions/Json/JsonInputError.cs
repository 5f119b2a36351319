using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Says why JSON text could not be read as a definition in the terms of the JSON itself: where (a JSON path
/// such as <c>$.policy.maxConcurrency</c>) and what was expected there. The serializer's own messages name .NET
/// types and members, which mean nothing to someone writing JSON by hand.
/// </summary>
public static class JsonInputError
{
    /// <summary>
    /// Explains <paramref name="error"/>, thrown while reading <paramref name="json"/> as <paramref name="target"/>
    /// with <paramref name="options"/> (<see cref="ConvoJson.Options"/> when null).
    /// </summary>
    public static string Describe(string json, JsonException error, Type target, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        options ??= ConvoJson.Options;
        if (SyntaxError(json) is { } syntax) return syntax;
        var path = string.IsNullOrEmpty(error.Path) ? "$" : error.Path;
        var (info, unknown) = Resolve(options.GetTypeInfo(target), path, options);
        if (unknown is not null)
        {
            var parent = path.EndsWith(unknown, StringComparison.Ordinal) ? path[..^unknown.Length].TrimEnd('.', '[', '\'') : path;
            var where = parent is "" or "$" ? "" : $" in {parent}";
            return $"unknown property '{unknown}'{where}; expected {Expected(info, options)}";
        }
        return $"{path}: expected {Expected(info, options)}";
    }

    // Reading token by token finds malformed JSON before the shape is looked at; its messages name no types.
    private static string? SyntaxError(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        try
        {
            while (reader.Read()) { }
            return null;
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
            return $"not valid JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {message}";
        }
    }

    // Follows the path's property names and indexes through the target's JSON contract. An object member
    // the contract lacks is the unknown property the error was about.
    private static (JsonTypeInfo Info, string? Unknown) Resolve(JsonTypeInfo info, string path, JsonSerializerOptions options)
    {
        foreach (var segment in Segments(path))
        {
            info = Unwrap(info, options);
            if (segment.Index)
            {
                if (info.Kind != JsonTypeInfoKind.Enumerable || info.ElementType is null) break;
                info = options.GetTypeInfo(info.ElementType);
            }
            else if (info.Kind == JsonTypeInfoKind.Dictionary && info.ElementType is not null)
            {
                info = options.GetTypeInfo(info.ElementType);
            }
            else if (info.Kind == JsonTypeInfoKind.Object)
            {
                var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                var property = info.Properties.FirstOrDefault(p => Readable(p) && string.Equals(p.Name, segment.Name, comparison));
                if (property is null) return (info, segment.Name);
                info = options.GetTypeInfo(property.PropertyType);
            }
            else break;
        }
        return (Unwrap(info, options), null);
    }

    // Computed members marked [JsonIgnore] stay in the contract but are never read.
    private static bool Readable(JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), true) is not [JsonIgnoreAttribute { Condition: JsonIgnoreCondition.Always }];

    private static JsonTypeInfo Unwrap(JsonTypeInfo info, JsonSerializerOptions options) =>
        Nullable.GetUnderlyingType(info.Type) is { } inner ? options.GetTypeInfo(inner) : info;

    // "$.a.b", "$['odd name']" and "$[3]", as System.Text.Json writes paths.
    private static IEnumerable<(string Name, bool Index)> Segments(string path)
    {
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                yield return (path[(i + 1)..end], false);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) yield break;
                yield return (path[(i + 2)..end], false);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                if (end < 0) yield break;
                yield return (path[(i + 1)..end], true);
                i = end + 1;
            }
            else yield break;
        }
    }

    private static string Expected(JsonTypeInfo info, JsonSerializerOptions options)
    {
        var type = info.Type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int)) return $"a whole number from {int.MinValue} to {int.MaxValue}";
        if (type == typeof(long)) return $"a whole number from {long.MinValue} to {long.MaxValue}";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number";
        if (type == typeof(TimeSpan)) return "a duration as a string \"[d.]hh:mm:ss[.fffffff]\", e.g. \"00:00:10\"";
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return "an instant as an ISO 8601 string, e.g. \"2030-01-31T09:00:00Z\"";
        if (type.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(type).Select(n => $"\"{n}\""));
        if (type == typeof(EventId) || type == typeof(TriggerId)) return "an id as a string";
        if (type == typeof(SubscriptionId)) return "a subscription id as a string \"eventId/triggerId\"";
        return info.Kind switch
        {
            JsonTypeInfoKind.Object => "an object with the properties " + string.Join(", ", info.Properties.Where(Readable).Select(p => p.Name)),
            JsonTypeInfoKind.Dictionary when info.ElementType is { } values => $"an object whose values are each {Expected(options.GetTypeInfo(values), options)}",
            JsonTypeInfoKind.Enumerable => "an array",
            _ => "a value of another type",
        };
    }
}
