namespace CallPush.Api.Persistence;

/// <summary>An ASP.NET Core Data Protection key (XML), shared by every replica through the database.</summary>
public sealed class DataProtectionKey
{
    public long Id { get; set; }
    public string? FriendlyName { get; set; }
    public required string Xml { get; set; }
}
