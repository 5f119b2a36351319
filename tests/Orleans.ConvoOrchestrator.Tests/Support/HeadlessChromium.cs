using Microsoft.Playwright;

namespace Orleans.ConvoOrchestrator.Tests.Support;

/// <summary>
/// Debian's chromium (tests/setup/chromium.sh installs it), headless and driven by Playwright; never a downloaded
/// browser, since `playwright install` is not used here. Screenshots go to TestResults/screenshots.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Where the browser tests put their screenshots.</summary>
    public static readonly string Screenshots = Path.Combine(RepoPaths.Root, "TestResults", "screenshots");

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; }

    /// <summary>Starts the browser (and makes the screenshots folder).</summary>
    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true });
            Directory.CreateDirectory(Screenshots);
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
