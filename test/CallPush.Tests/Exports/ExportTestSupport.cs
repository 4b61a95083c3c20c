using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CallPush.Tests.Infrastructure;
using CallPush.Tests.Recordings;

namespace CallPush.Tests.Exports;

/// <summary>An export root of its own, the settings that point a service at it, and the API calls the tests make.</summary>
internal static class ExportTestSupport
{
    public const long SdkAppId = 1400482256;

    public static string NewRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "callpush-exports-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        return root;
    }

    public static Dictionary<string, string?> Settings(string root, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["CallPush:Exports:FolderRoot"] = root,
            ["CallPush:Exports:PollInterval"] = "00:00:00.100",
            ["CallPush:Exports:WatermarkGrace"] = "00:00:00",
        };
        foreach (var (key, value) in more)
        {
            settings["CallPush:Exports:" + key] = value;
        }
        return settings;
    }

    /// <summary>A CDR of the sample's shape for a session that starts at <paramref name="start"/>.</summary>
    public static string Cdr(string sessionId, DateTimeOffset start, Action<JsonObject>? change = null) => Samples.CdrWith(cdr =>
    {
        var seconds = start.ToUnixTimeSeconds();
        cdr["SessionId"] = sessionId;
        cdr["StartTimestamp"] = seconds;
        cdr["RingTimestamp"] = seconds + 2;
        cdr["EndedTimestamp"] = seconds + 30;
        cdr["ServeParticipants"]![0]!["StartTimestamp"] = seconds;
        cdr["ServeParticipants"]![0]!["RingTimestamp"] = seconds + 1;
        cdr["ServeParticipants"]![0]!["AcceptTimestamp"] = seconds + 2;
        cdr["ServeParticipants"]![0]!["EndedTimestamp"] = seconds + 30;
        change?.Invoke(cdr);
    });

    public static async Task PushCdrAsync(this HttpClient client, string body)
    {
        var reply = await client.PushAndReadAsync("cdr", body, Guid.NewGuid().ToString());
        Assert.Equal(0, reply.ErrCode);
    }

    public static async Task<long> CreateFolderConnectorAsync(this HttpClient analyst, string path, string name = "local")
    {
        using var response = await analyst.PostAsJsonAsync("/exports/connectors", new { name, kind = "folder", path });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }

    public static async Task<long> CreateJobAsync(this HttpClient analyst, object job)
    {
        using var response = await analyst.PostAsJsonAsync("/exports/jobs", job);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }

    public static async Task<long> StartRunAsync(this HttpClient analyst, long jobId, object? body = null)
    {
        using var response = body is null
            ? await analyst.PostAsync($"/exports/jobs/{jobId}/runs", null)
            : await analyst.PostAsJsonAsync($"/exports/jobs/{jobId}/runs", body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }

    /// <summary>Waits until the run has ended and answers it.</summary>
    public static async Task<JsonObject> WaitForRunAsync(this HttpClient analyst, long runId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var run = (await analyst.GetFromJsonAsync<JsonObject>($"/exports/runs/{runId}"))!;
            if (run["status"]!.GetValue<string>() is not ("pending" or "processing" or "delivering"))
            {
                return run;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"run {runId} did not end: {run.ToJsonString()}");
            }
            await Task.Delay(100);
        }
    }

    public static List<JsonObject> Files(this JsonObject run) => run["files"]!.AsArray().Select(f => f!.AsObject()).ToList();

    /// <summary>The rows of a CSV file as Python's csv module reads them (header first).</summary>
    public static async Task<List<string[]>> ReadCsvAsync(string path)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Exports", "read_csv.py");
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"python3 could not read {path}: {await error}");
        return JsonSerializer.Deserialize<List<string[]>>(await output)!;
    }

    /// <summary>Rows of a query with every value as the export writes it: text, ISO 8601 UTC timestamps, empty for NULL.</summary>
    public static async Task<List<string[]>> ExpectedAsync(this CallPushApp app, string sql, params object[] parameters)
    {
        var rows = await app.RowsAsync(sql, parameters);
        return rows.Select(r => r.Values.Select(v => v switch
        {
            null => "",
            DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString()!,
        }).ToArray()).ToList();
    }

    /// <summary>The named columns of CSV rows (header first), in that order.</summary>
    public static List<string[]> Columns(List<string[]> csv, params string[] names)
    {
        var indexes = names.Select(n => Array.IndexOf(csv[0], n)).ToArray();
        Assert.DoesNotContain(-1, indexes);
        return csv.Skip(1).Select(row => indexes.Select(i => row[i]).ToArray()).ToList();
    }
}
