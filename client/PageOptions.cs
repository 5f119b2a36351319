using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// <c>--limit</c> and <c>--page-token</c> of the listing commands: with either, one page is read and printed with the
/// token of the next; without them, everything (the cluster is still read page by page).
/// </summary>
internal sealed class PageOptions
{
    /// <summary>The page size.</summary>
    public Option<int?> Limit { get; } = new("--limit", "-n")
    {
        HelpName = "N",
        Description = $"List one page of at most N (1 to {PageToken.MaxLimit}) and print the next page's token",
    };

    /// <summary>Where the page starts.</summary>
    public Option<string> Token { get; } = new("--page-token")
    {
        HelpName = "TOKEN",
        Description = "List the page after the one that printed TOKEN (with --limit, or pages of the largest size)",
    };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Limit);
        command.Options.Add(Token);
    }

    /// <summary>The page asked for, or null for everything; a bad limit or token is a usage error (exit 2).</summary>
    public (int Limit, string? Token)? Read(ParseResult parse)
    {
        var limit = parse.GetValue(Limit);
        var token = parse.GetValue(Token);
        if (limit is null && token is null) return null;
        var size = limit ?? PageToken.MaxLimit;
        if (PageToken.Read(size, token, out _) is { IsErr: true } bad)
            throw new UsageException($"{(limit is < 1 or > PageToken.MaxLimit ? "--limit" : "--page-token")}: {bad.Error.Message}");
        return (size, token);
    }

    /// <summary>After a page's table: the command for the next page, or that this was the last.</summary>
    public static void WriteNext(Output output, string command, int limit, string? next) =>
        output.WriteLine(next is null ? "(last page)" : $"next page: convo {command} --limit {limit} --page-token {next}");
}
