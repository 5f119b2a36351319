namespace Orleans.ConvoOrchestrator.Client;

/// <summary>
/// Registered by Orleans.ConvoOrchestrator.Client.Redis when an app asks for Redis clustering: the localhost gateway
/// list is then not added, and the options validator knows <see cref="ConvoClientOptions.Redis"/> is used.
/// </summary>
internal sealed class RedisClusteringChosen;
