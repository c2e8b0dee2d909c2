using System.Net.Sockets;
using Npgsql;

namespace Pipeline.Results.Tests;

public sealed class StoreFaultsTests
{
    [Theory]
    [InlineData("57P01")] // admin shutdown: a restart
    [InlineData("57P02")] // crash shutdown
    [InlineData("57P03")] // cannot connect now: starting up
    [InlineData("53300")] // too many connections
    [InlineData("53200")] // out of memory
    [InlineData("08006")] // connection failure
    [InlineData("08001")] // unable to connect
    [InlineData("40001")] // serialization failure
    [InlineData("40P01")] // deadlock
    public void IsTransient_OutageOrSaturationState_IsTrue(string sqlState)
    {
        Assert.True(StoreFaults.IsTransient(new PostgresException("outage", "FATAL", "FATAL", sqlState)));
    }

    [Theory]
    [InlineData("23505")] // unique violation
    [InlineData("42P01")] // undefined table
    [InlineData("42501")] // insufficient privilege
    [InlineData("22P02")] // invalid text representation
    [InlineData("57014")] // query cancelled
    public void IsTransient_ABugOrAConfigurationError_IsFalse(string sqlState)
    {
        Assert.False(StoreFaults.IsTransient(new PostgresException("bug", "ERROR", "ERROR", sqlState)));
    }

    [Fact]
    public void IsTransient_ConnectionRefused_IsTrue() =>
        Assert.True(StoreFaults.IsTransient(new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused))));

    [Fact]
    public void IsTransient_PoolExhausted_IsTrue() =>
        Assert.True(StoreFaults.IsTransient(new NpgsqlException("The connection pool has been exhausted, either raise 'Max Pool Size' (currently 20) or 'Timeout' (currently 15 seconds) in your connection string.", new TimeoutException())));

    [Fact]
    public void IsTransient_WrappedByAnotherLibrary_LooksInside()
    {
        var hangfire = new InvalidOperationException("Background job creation failed.", new PostgresException("terminating", "FATAL", "FATAL", "57P01"));

        Assert.True(StoreFaults.IsTransient(hangfire));
        Assert.True(StoreFaults.IsTransient(new AggregateException(new ArgumentException("x"), hangfire)));
        Assert.True(StoreFaults.IsTransient(ResultStoreUnavailableException.For("Host=h", null)));
    }

    [Fact]
    public void IsTransient_OtherErrors_AreFalse()
    {
        Assert.False(StoreFaults.IsTransient(new ArgumentException("bad key")));
        Assert.False(StoreFaults.IsTransient(new OperationCanceledException()));
        Assert.False(StoreFaults.IsTransient(new InvalidOperationException("bug", new PostgresException("bug", "ERROR", "ERROR", "23505"))));
        Assert.False(StoreFaults.IsTransient(null));
    }
}
