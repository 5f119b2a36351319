namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Names an <see cref="IEventHandler"/> class that a silo loads from a plugin assembly. Without it the name is
/// the class name without a trailing "Handler", in kebab case (<c>SendInvoiceHandler</c> → <c>send-invoice</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class HandlerNameAttribute(string name) : Attribute
{
    /// <summary>The name events use in <c>HandlerName</c>.</summary>
    public string Name { get; } = name;
}
