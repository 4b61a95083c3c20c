using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CallPush.Api.Persistence;

/// <summary>
/// How <c>dotnet ef</c> creates the context: on <c>ConnectionStrings__CallPush</c> when it is set (the commands that
/// read or change a database need it), otherwise on a placeholder that nothing connects to, which is all the model
/// commands (<c>migrations add</c>, <c>migrations has-pending-model-changes</c>) need.
/// </summary>
public sealed class CallPushDesignTimeDbContextFactory : IDesignTimeDbContextFactory<CallPushDbContext>
{
    /// <summary>A host in the reserved .invalid domain: a database command run without a connection string reaches no server.</summary>
    internal const string PlaceholderConnectionString = "Host=connection-string-not-set.invalid;Database=callpush";

    public CallPushDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__" + DatabaseOptions.ConnectionStringName);
        return new CallPushDbContext(new DbContextOptionsBuilder<CallPushDbContext>()
            .UseNpgsql(string.IsNullOrWhiteSpace(connectionString) ? PlaceholderConnectionString : connectionString)
            .Options);
    }
}
