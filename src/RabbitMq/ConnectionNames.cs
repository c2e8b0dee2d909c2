using System.Globalization;

namespace Pipeline.RabbitMq;

/// <summary>
/// The client-provided names of this process's RabbitMQ connections: the role, then the machine and process id
/// (<c>pipeline-bus gpu-7/4242</c>), so the management API and UI (<c>client_properties.connection_name</c>, beside
/// each connection's <c>node</c>) tell which process holds which connection on which cluster node, and which of a
/// host's connections is its bus (whose loss stops the pools) and which its topology connection.
/// </summary>
internal static class ConnectionNames
{
    /// <summary>MassTransit's bus connection (worker hosts and clients alike).</summary>
    public const string Bus = "pipeline-bus";

    /// <summary>The name of this process's connection in <paramref name="role"/>.</summary>
    public static string Of(string role) => ForProcess(role, Environment.MachineName, Environment.ProcessId);

    /// <summary>The name a process <paramref name="processId"/> on <paramref name="machine"/> gives its connection in <paramref name="role"/>.</summary>
    public static string ForProcess(string role, string machine, int processId) =>
        string.Create(CultureInfo.InvariantCulture, $"{role} {machine}/{processId}");
}
