using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Orleans.ConvoOrchestrator.Runtime.Execution;

/// <summary>
/// A handler's result as short text for outcomes and history. A huge result is never copied or serialized whole:
/// a string is sliced, and anything else is serialized only until the preview is full.
/// </summary>
internal static class ResultPreview
{
    /// <summary>Characters kept before the ellipsis.</summary>
    public const int MaxLength = 256;

    private const string Ellipsis = "...";
    // UTF-8 bytes enough for MaxLength characters and one more, whatever they are: the serializer stops past this.
    private const int ByteBound = 4 * (MaxLength + 8);

    /// <summary>Null for null; strings as they are; anything else as JSON (or its ToString when not serializable); cut to 256 characters plus "...".</summary>
    public static string? From(object? result) => result switch
    {
        null => null,
        string s => s.Length <= MaxLength ? s : string.Concat(s.AsSpan(0, MaxLength), Ellipsis),
        _ => Json(result),
    };

    private static string? Json(object result)
    {
        var buffer = new BoundedBuffer(ByteBound);
        var complete = false;
        var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Encoder = JsonPayload.Options.Encoder,
            Indented = JsonPayload.Options.WriteIndented,
            MaxDepth = JsonPayload.Options.MaxDepth,
        });
        try
        {
            JsonSerializer.Serialize(writer, result, result.GetType(), JsonPayload.Options);
            complete = true;
        }
        catch (BoundedBuffer.FullException)
        {
            // Enough for the preview: the rest is never produced.
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            writer.Dispose();
            return From(result.ToString());
        }
        writer.Dispose(); // writes what is pending into the buffer
        var text = Encoding.UTF8.GetString(buffer.Written);
        if (complete && text.Length <= MaxLength) return text;
        return string.Concat(text.AsSpan(0, Math.Min(text.Length, MaxLength)), Ellipsis);
    }

    // A small fixed buffer that refuses to grow: asked for room past its bound it throws, which stops the serializer.
    private sealed class BoundedBuffer(int bound) : IBufferWriter<byte>
    {
        private readonly byte[] _bytes = new byte[bound];
        private int _written;

        public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _written);

        public void Advance(int count) => _written = Math.Min(_bytes.Length, _written + count);

        public Memory<byte> GetMemory(int sizeHint = 0) => _bytes.AsMemory(Room(sizeHint));

        public Span<byte> GetSpan(int sizeHint = 0) => _bytes.AsSpan(Room(sizeHint));

        private int Room(int sizeHint)
        {
            if (_bytes.Length - _written < Math.Max(sizeHint, 1)) throw new FullException();
            return _written;
        }

        public sealed class FullException : Exception
        {
            public FullException() : base("the preview is full")
            {
            }
        }
    }
}
