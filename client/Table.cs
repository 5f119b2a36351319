namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// A plain-text table with columns padded to their widest cell. No borders: output stays greppable and
/// `cut`/`awk`-friendly, and <c>--json</c> exists for anything more structured.
/// </summary>
internal sealed class Table
{
    private const string Gap = "  ";
    private const int MaxCellWidth = 80;
    private readonly string[]? _headers;
    private readonly List<string[]> _rows = [];

    private Table(string[]? headers) => _headers = headers;

    /// <summary>A table with a header row.</summary>
    public static Table WithHeaders(params string[] headers) => new(headers);

    /// <summary>A two-column "key  value" listing without a header row, for one object's fields.</summary>
    public static Table KeyValue() => new(null);

    /// <summary>Adds a row; cells are formatted by <see cref="Format.Cell"/>.</summary>
    public Table Add(params object?[] cells)
    {
        _rows.Add(cells.Select(c => Format.Cell(c, MaxCellWidth)).ToArray());
        return this;
    }

    /// <summary>Number of data rows.</summary>
    public int Count => _rows.Count;

    /// <summary>Writes the table, one line per row.</summary>
    public void WriteTo(TextWriter writer)
    {
        var lines = _headers is null ? _rows : _rows.Prepend(_headers).ToList();
        if (lines.Count == 0) return;
        var columns = lines.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in lines)
            for (var i = 0; i < row.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);

        foreach (var row in lines)
        {
            // The last column is not padded, so lines carry no trailing spaces.
            var cells = row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]));
            writer.WriteLine(string.Join(Gap, cells).TrimEnd());
        }
    }
}
