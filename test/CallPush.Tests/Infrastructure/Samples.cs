using System.Text.Json.Nodes;

namespace CallPush.Tests.Infrastructure;

/// <summary>The protocol document's own samples (docs/samples), and CDRs built from them.</summary>
public static class Samples
{
    private static readonly string Folder = FindSamples();

    /// <summary>The repository's root folder, found from the test binaries.</summary>
    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(Folder, "..", ".."));

    public static string Cdr => File.ReadAllText(Path.Combine(Folder, "cdr.json"));
    public static string Record => File.ReadAllText(Path.Combine(Folder, "record.json"));
    public static string Voicemail => File.ReadAllText(Path.Combine(Folder, "voicemail.json"));

    /// <summary>The sample CDR (made strict JSON) with changes applied, for a session of its own.</summary>
    public static string CdrWith(Action<JsonObject> change)
    {
        var cdr = JsonNode.Parse(Cdr, documentOptions: new System.Text.Json.JsonDocumentOptions { AllowTrailingCommas = true })!.AsObject();
        change(cdr);
        return cdr.ToJsonString();
    }

    public static string NewSessionId() => Guid.NewGuid().ToString();

    private static string FindSamples()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "docs", "samples");
            if (File.Exists(Path.Combine(candidate, "cdr.json")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("docs/samples not found above " + AppContext.BaseDirectory);
    }
}
