namespace CallPush.Api.Persistence;

/// <summary>A destination of data exports: a folder under the export root, or an S3-compatible bucket.</summary>
public sealed class ExportConnector
{
    public long Id { get; set; }
    public required string Name { get; set; }

    /// <summary><c>folder</c> or <c>s3</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>The settings that are not secret, as JSON.</summary>
    public required string Settings { get; set; }

    /// <summary>The secrets as JSON protected by ASP.NET Core Data Protection; never returned by the API.</summary>
    public string? ProtectedSecrets { get; set; }

    /// <summary><c>api</c>, or <c>config</c> for one declared in configuration (and changed only there).</summary>
    public required string Source { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
