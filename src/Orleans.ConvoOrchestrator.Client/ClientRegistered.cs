namespace Orleans.ConvoOrchestrator.Client;

/// <summary>Marks a service collection that already has the cluster client, so a second registration only adds options.</summary>
internal sealed class ClientRegistered;
