using System.Net.Sockets;
using Npgsql;

namespace Pipeline.Results;

/// <summary>
/// Tells a database outage or saturation (worth waiting out) from a bug (worth reporting): connection refused, reset or
/// timed out, the server shutting down or starting (SQLSTATE 57P01-57P03, 57P05), connection exceptions (class 08),
/// insufficient resources such as too many clients (class 53), serialization failures and deadlocks (40001, 40P01), an
/// exhausted connection pool, and whatever Npgsql itself calls transient. Looks through wrappers (Hangfire's, aggregates).
/// </summary>
internal static class StoreFaults
{
    private const int MaxDepth = 16;

    /// <summary>True when <paramref name="exception"/>, or an exception it wraps, is a transient store failure.</summary>
    public static bool IsTransient(Exception? exception) => IsTransient(exception, 0);

    /// <summary>True for a SQLSTATE that means "the server cannot serve now", not "the statement is wrong".</summary>
    public static bool IsTransientState(string? sqlState) => sqlState is { Length: 5 } state && (
        state.StartsWith("08", StringComparison.Ordinal)
        || state.StartsWith("53", StringComparison.Ordinal)
        || state is "57P01" or "57P02" or "57P03" or "57P05" or "40001" or "40P01");

    private static bool IsTransient(Exception? exception, int depth)
    {
        if (exception is null || depth > MaxDepth)
        {
            return false;
        }

        switch (exception)
        {
            case ResultStoreUnavailableException:
                return true;
            case PostgresException postgres:
                return postgres.IsTransient || IsTransientState(postgres.SqlState);
            case NpgsqlException npgsql when npgsql.IsTransient:
                return true;
            case SocketException or TimeoutException or IOException:
                return true;
            case AggregateException aggregate:
                return aggregate.InnerExceptions.Any(inner => IsTransient(inner, depth + 1));
            default:
                return IsTransient(exception.InnerException, depth + 1);
        }
    }
}
