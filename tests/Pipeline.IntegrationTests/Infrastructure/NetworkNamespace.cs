using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>
/// A Linux network namespace of one test's own, joined to this machine's stack by a veth pair on a private /30 in
/// 10.213.0.0/16 that no interface here uses: <see cref="HostAddress"/> on this side, <see cref="NamespaceAddress"/>
/// inside. A process started under <see cref="Launcher"/> has only that link (and its own loopback), so
/// <see cref="CutAsync"/> (<c>ip link set &lt;veth&gt; down</c> here) is an abrupt network loss for it: no FIN, no RST,
/// packets simply stop. Names start with <c>PIPELINE_NETNS_PREFIX</c> (default <c>plns</c>) so infra/netns-test.sh can
/// delete what a killed run left. Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN); where the machine refuses, creating
/// one throws with the machine's own error. Disposing deletes the namespace, which deletes both ends of the pair.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private NetworkNamespace(string name, IPAddress hostAddress, IPAddress namespaceAddress)
    {
        Name = name;
        HostAddress = hostAddress;
        NamespaceAddress = namespaceAddress;
    }

    /// <summary>The namespace's name, also the stem of its veth pair's names (<c>&lt;name&gt;h</c> here, <c>&lt;name&gt;n</c> inside).</summary>
    public string Name { get; }

    /// <summary>This side's end of the pair: servers the namespace must reach listen here.</summary>
    public IPAddress HostAddress { get; }

    /// <summary>The namespace's end of the pair.</summary>
    public IPAddress NamespaceAddress { get; }

    /// <summary>The command prefix that runs a program inside the namespace (<c>ip netns exec &lt;name&gt;</c>; it execs, so the pid is the program's).</summary>
    public IReadOnlyList<string> Launcher => ["ip", "netns", "exec", Name];

    private string HostVeth => Name + "h";

    private string NamespaceVeth => Name + "n";

    /// <summary>Creates the namespace, the veth pair and the addresses, and brings both ends and the namespace's loopback up.</summary>
    /// <exception cref="InvalidOperationException">The machine refused (not root, no namespaces in this container): the message carries its error.</exception>
    public static async Task<NetworkNamespace> CreateAsync()
    {
        var prefix = Environment.GetEnvironmentVariable("PIPELINE_NETNS_PREFIX") is { Length: > 0 and <= 6 } configured ? configured : "plns";
        var name = prefix + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..(14 - prefix.Length)];
        var (host, inside) = await FreeSubnetAsync();
        var created = new NetworkNamespace(name, host, inside);
        try
        {
            await IpAsync("netns", "add", name);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                $"This machine refused a network namespace ({e.Message.Trim()}). The test needs root with CAP_SYS_ADMIN and CAP_NET_ADMIN (a privileged container or a VM).",
                e);
        }

        try
        {
            await IpAsync("link", "add", created.HostVeth, "type", "veth", "peer", "name", created.NamespaceVeth);
            await IpAsync("link", "set", created.NamespaceVeth, "netns", name);
            await IpAsync("addr", "add", $"{host}/30", "dev", created.HostVeth);
            await IpAsync("link", "set", created.HostVeth, "up");
            await IpAsync("-n", name, "addr", "add", $"{inside}/30", "dev", created.NamespaceVeth);
            await IpAsync("-n", name, "link", "set", created.NamespaceVeth, "up");
            await IpAsync("-n", name, "link", "set", "lo", "up");
            return created;
        }
        catch
        {
            await created.DisposeAsync();
            throw;
        }
    }

    /// <summary>Takes this side's end of the link down: the namespace's packets go nowhere, and no connection is closed.</summary>
    public Task CutAsync() => IpAsync("link", "set", HostVeth, "down");

    /// <summary>Brings the link back up.</summary>
    public Task RestoreAsync() => IpAsync("link", "set", HostVeth, "up");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await IpAsync("netns", "delete", Name);
        }
        catch (InvalidOperationException)
        {
            // Not created; the pair may exist without it (creation failed between the two steps).
        }

        try
        {
            await IpAsync("link", "delete", HostVeth);
        }
        catch (InvalidOperationException)
        {
            // Gone with the namespace, as it should be.
        }
    }

    // A /30 in 10.213.0.0/16 with no address of this machine in it; a few random tries, then a clear failure.
    private static async Task<(IPAddress Host, IPAddress Inside)> FreeSubnetAsync()
    {
        var used = (await IpOutputAsync("-o", "-4", "addr", "show"))
            .Split('\n')
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(parts => Array.IndexOf(parts, "inet") is var i and >= 0 && i + 1 < parts.Length ? parts[i + 1].Split('/')[0] : null)
            .Where(a => a is not null)
            .ToHashSet(StringComparer.Ordinal);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var third = Random.Shared.Next(0, 256);
            var fourth = Random.Shared.Next(0, 64) * 4;
            var block = Enumerable.Range(fourth, 4).Select(d => string.Create(CultureInfo.InvariantCulture, $"10.213.{third}.{d}"));
            if (!block.Any(used.Contains))
            {
                return (IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.213.{third}.{fourth + 1}")),
                    IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.213.{third}.{fourth + 2}")));
            }
        }

        throw new InvalidOperationException("No free /30 in 10.213.0.0/16 after 20 tries: delete leftover test namespaces (infra/netns-test.sh does).");
    }

    private static Task IpAsync(params string[] args) => ServerCommands.RunAsync(new ProcessStartInfo("ip", args), CommandTimeout);

    private static async Task<string> IpOutputAsync(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("ip", args) { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start ip.");
        using var deadline = new CancellationTokenSource(CommandTimeout);
        var output = await process.StandardOutput.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        return output;
    }
}
