namespace CallPush.Api.Persistence;

/// <summary>
/// One SdkAppId a tenant reader role may read, granted through a configured source. Row-level security reads this
/// table (through a function only) to decide which rows such a role sees; tenant roles cannot read or change it.
/// </summary>
public sealed class TenantReaderGrant
{
    public required string RoleName { get; set; }
    public required string Source { get; set; }
    public long SdkAppId { get; set; }
    public DateTimeOffset GrantedAt { get; set; }
}
