using System.Net.Sockets;
using Npgsql;

namespace CallPush.Api.Persistence;

/// <summary>Failures that mean the database cannot answer right now: answered as retryable (503), never as a bug.</summary>
internal static class DatabaseFailure
{
    public static bool IsUnavailable(Exception e) =>
        e is NpgsqlException or TimeoutException or SocketException or InvalidOperationException { Source: "Npgsql" };
}
