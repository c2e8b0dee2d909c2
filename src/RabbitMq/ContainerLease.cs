namespace Pipeline.RabbitMq;

/// <summary>A container running somewhere, as its lease queue on the broker says.</summary>
/// <param name="Pool">The pool queue.</param>
/// <param name="Slot">Its lease slot (slots below <c>MinContainers</c> are the warm ones).</param>
/// <param name="Host">The host running it (machine:pid).</param>
/// <param name="Gpus">Its GPU indices, comma-separated; empty on a CPU slot.</param>
internal sealed record ContainerLease(string Pool, int Slot, string Host, string Gpus);
