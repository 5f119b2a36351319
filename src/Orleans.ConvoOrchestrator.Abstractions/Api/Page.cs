namespace Orleans.ConvoOrchestrator;

/// <summary>
/// One page of a listing, in the listing's order (ids, ordinal). <see cref="NextPageToken"/> asks for the page after
/// it; null means this page is the last.
/// </summary>
/// <typeparam name="T">What is listed.</typeparam>
/// <param name="Items">At most the requested number of items.</param>
/// <param name="NextPageToken">An opaque token for the next page, or null when nothing follows.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextPageToken);
