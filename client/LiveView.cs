namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// Shows successive frames of text. On a terminal each frame replaces the last in place (cursor home, clear to
/// end of line and of screen: no flicker, no scrolling); anywhere else (a pipe, a file, a test, TERM=dumb) frames
/// are printed one after the other, separated by a blank line, with no escape sequences at all.
/// </summary>
internal sealed class LiveView : IDisposable
{
    private const string Escape = "\u001b[";
    private readonly Output _output;
    private bool _first = true;

    private LiveView(Output output, bool inPlace)
    {
        _output = output;
        InPlace = inPlace;
    }

    /// <summary>True when frames are redrawn in place.</summary>
    public bool InPlace { get; }

    /// <summary>In place when stdout is a terminal that understands ANSI sequences.</summary>
    public static LiveView For(Output output)
    {
        var terminal = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";
        return new LiveView(output, terminal && !output.Json);
    }

    /// <summary>Shows <paramref name="frame"/> (lines separated by newlines).</summary>
    public void Show(string frame)
    {
        var lines = frame.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        if (!InPlace)
        {
            if (!_first) _output.WriteLine();
            foreach (var line in lines) _output.WriteLine(line);
            _first = false;
            _output.Flush();
            return;
        }
        // One write per frame so the terminal never shows half of one.
        var text = new System.Text.StringBuilder();
        // The first frame clears the screen and hides the cursor; later ones just go home and overwrite.
        text.Append(_first ? $"{Escape}?25l{Escape}H{Escape}2J" : $"{Escape}H");
        foreach (var line in lines) text.Append(line).Append($"{Escape}K\n");
        text.Append($"{Escape}J");
        _output.Write(text.ToString());
        _output.Flush();
        _first = false;
    }

    /// <summary>Gives the cursor back; the last frame stays on screen.</summary>
    public void Dispose()
    {
        if (InPlace && !_first)
        {
            _output.Write($"{Escape}?25h");
            _output.Flush();
        }
    }
}
