using System.Text.Json;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.Exports;

/// <summary>
/// Turns connector requests into rows and rows into destinations. A secret key given to the API is stored encrypted with
/// ASP.NET Core Data Protection; a <c>secretKeyFrom</c> names a configuration key read at each use instead.
/// </summary>
internal sealed class ConnectorCatalog(ConnectorSecretProtection protection, IConfiguration configuration, IOptions<ExportsOptions> options)
{
    public const string Folder = "folder";
    public const string S3 = "s3";

    public FolderRoot Root { get; } = new(options.Value.FolderRoot);

    /// <summary>Why the request cannot be a connector, or null.</summary>
    public string? Validate(ConnectorRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200 || request.Name.Any(char.IsControl))
        {
            return "name is required (at most 200 characters)";
        }
        switch (request.Kind)
        {
            case Folder:
                return Root.Resolve(request.Path).Problem;
            case S3:
                if (string.IsNullOrWhiteSpace(request.Bucket))
                {
                    return "bucket is required for an s3 connector";
                }
                if (request.ServiceUrl is { } url && (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    return "serviceUrl must be an absolute http or https URL";
                }
                if (!string.IsNullOrEmpty(request.SecretKey) && !string.IsNullOrEmpty(request.SecretKeyFrom))
                {
                    return "give secretKey or secretKeyFrom, not both";
                }
                if (!string.IsNullOrEmpty(request.SecretKeyFrom) && configuration[request.SecretKeyFrom] is null)
                {
                    return $"secretKeyFrom names the configuration key '{request.SecretKeyFrom}', which is not set";
                }
                return null;
            default:
                return "kind must be 'folder' or 's3'";
        }
    }

    /// <summary>Applies a validated request to a row (new or existing); a missing secret keeps the stored one.</summary>
    public void Apply(ConnectorRequest request, ExportConnector row)
    {
        row.Name = request.Name!.Trim();
        row.Kind = request.Kind!;
        var s3 = request.Kind == S3;
        row.Settings = new ConnectorSettings(s3 ? null : request.Path, s3 ? request.Bucket : null, s3 ? request.Prefix : null,
            s3 ? request.Region : null, s3 ? request.ServiceUrl : null, s3 && request.ForcePathStyle, s3 ? request.AccessKey : null,
            s3 && !string.IsNullOrEmpty(request.SecretKeyFrom) ? request.SecretKeyFrom : null).ToJson();
        if (!s3 || !string.IsNullOrEmpty(request.SecretKeyFrom))
        {
            row.ProtectedSecrets = null;
        }
        else if (!string.IsNullOrEmpty(request.SecretKey))
        {
            row.ProtectedSecrets = protection.Protector.Protect(JsonSerializer.Serialize(new Dictionary<string, string> { ["secretKey"] = request.SecretKey }));
        }
    }

    public static ConnectorResponse Describe(ExportConnector row)
    {
        var settings = ConnectorSettings.Parse(row.Settings);
        return new ConnectorResponse(row.Id, row.Name, row.Kind, settings.Path, settings.Bucket, settings.Prefix, settings.Region,
            settings.ServiceUrl, settings.ForcePathStyle, settings.AccessKey,
            row.ProtectedSecrets is not null || settings.SecretKeyFrom is not null, settings.SecretKeyFrom, row.Source, row.CreatedAt, row.UpdatedAt);
    }

    public IExportDestination Open(ExportConnector row)
    {
        var settings = ConnectorSettings.Parse(row.Settings);
        if (row.Kind == Folder)
        {
            return new FolderDestination(Root, settings.Path!);
        }
        string? secret = null;
        if (settings.SecretKeyFrom is { } from)
        {
            secret = configuration[from] ?? throw new DestinationException(new DestinationProblem("auth", $"the configuration key '{from}' is not set"));
        }
        else if (row.ProtectedSecrets is { } protectedSecrets)
        {
            try
            {
                secret = JsonSerializer.Deserialize<Dictionary<string, string>>(protection.Protector.Unprotect(protectedSecrets))!["secretKey"];
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new DestinationException(new DestinationProblem("auth", $"the stored secret cannot be decrypted (Data Protection keys missing?): {e.Message}"));
            }
        }
        return new S3Destination(settings.Bucket!, settings.Prefix,
            new S3Endpoint(settings.Region, settings.ServiceUrl, settings.ForcePathStyle, settings.AccessKey, secret));
    }
}
