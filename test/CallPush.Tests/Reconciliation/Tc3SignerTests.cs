using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CallPush.Api.Features.Reconciliation;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Reconciliation;

public sealed class Tc3SignerTests
{
    public const string NodeSdkVersion = "4.1.220";

    /// <summary>
    /// The worked example of Tencent Cloud API 3.0's "Signature v3" page (CVM DescribeInstances, POST JSON): its payload,
    /// timestamp 1551113065 (2019-02-26 00:44:25 at UTC+8, so the UTC date 2019-02-25 must be used), its example keys and
    /// the hashes and signature the page prints.
    /// </summary>
    [Fact]
    public void The_signer_reproduces_Tencent_Clouds_published_example()
    {
        var request = new Tc3Request("cvm", "cvm.tencentcloudapi.com", "application/json; charset=utf-8",
            Encoding.UTF8.GetBytes("""{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"""),
            1551113065);

        var canonical = Tc3Signer.CanonicalRequest(request);
        var toSign = Tc3Signer.StringToSign(request);
        var authorization = Tc3Signer.Authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", request);

        Assert.EndsWith("\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064", canonical, StringComparison.Ordinal);
        Assert.Equal("TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031", toSign);
        Assert.Equal("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
            + "SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168", authorization);
    }

    [Fact]
    public void Another_secret_key_or_payload_gives_another_signature()
    {
        var request = new Tc3Request("ccc", "ccc.tencentcloudapi.com", TelCdrClient.ContentType, "{}"u8.ToArray(), 1764547200);

        var signature = Tc3Signer.Signature("key-one", request);

        Assert.NotEqual(signature, Tc3Signer.Signature("key-two", request));
        Assert.NotEqual(signature, Tc3Signer.Signature("key-one", request with { Payload = "{ }"u8.ToArray() }));
        Assert.NotEqual(signature, Tc3Signer.Signature("key-one", request with { Timestamp = request.Timestamp + 86400 }));
    }

    [Fact]
    public async Task The_official_Node_SDK_and_the_service_pass_and_fail_the_same_signature_check()
    {
        await using var standIn = await CloudApiStandIn.StartAsync();
        var start = ReconciliationTestSupport.Now - 600;
        var sessions = Enumerable.Range(0, 3).Select(_ => Samples.NewSessionId()).ToList();
        foreach (var session in sessions)
        {
            standIn.Add(TelCdrs.SdkAppId, TelCdrs.TelCdr(session, start, start + 60));
        }
        var from = start - 60;
        var to = start + 3600;

        var sdkGood = await NodeSdkAsync(standIn, CloudApiStandIn.SecretKey, from, to);
        var sdkBad = await NodeSdkAsync(standIn, "not-the-secret-key", from, to);
        var ours = await ClientAsync(standIn, CloudApiStandIn.SecretKey, from, to);
        var oursBad = await Assert.ThrowsAsync<CloudApiException>(() => ClientAsync(standIn, "not-the-secret-key", from, to));

        Assert.True(sdkGood.GetProperty("ok").GetBoolean(), sdkGood.ToString());
        Assert.Equal(3, sdkGood.GetProperty("TotalCount").GetInt32());
        Assert.Equal(sessions.Order(StringComparer.Ordinal), sdkGood.GetProperty("Sessions").EnumerateArray().Select(s => s.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(sessions.Order(StringComparer.Ordinal), ours.TelCdrList.Select(c => c.GetProperty("SessionId").GetString()!).Order(StringComparer.Ordinal));
        Assert.True(sdkBad.TryGetProperty("code", out var sdkCode), sdkBad.ToString());
        Assert.Equal("AuthFailure.SignatureFailure", sdkCode.GetString());
        Assert.Equal("AuthFailure.SignatureFailure", oursBad.Code);
        Assert.True(oursBad.IsAuthFailure);
    }

    private static async Task<TelCdrPage> ClientAsync(CloudApiStandIn standIn, string secretKey, long from, long to)
    {
        using var http = new HttpClient();
        var api = new CloudApiOptions { SecretId = CloudApiStandIn.SecretId, SecretKey = secretKey, Region = "ap-singapore", Endpoint = standIn.Endpoint.ToString() };
        using var client = new TelCdrClient(http, api, new ReconciliationOptions(), TimeProvider.System);
        return await client.DescribeTelCdrAsync(TelCdrs.SdkAppId, DateTimeOffset.FromUnixTimeSeconds(from), DateTimeOffset.FromUnixTimeSeconds(to),
            100, 0, CancellationToken.None);
    }

    /// <summary>
    /// Calls DescribeTelCdr through tencentcloud-sdk-nodejs-common's CommonClient. The SDK signs the service named by the
    /// endpoint's first label and the host without its port, so it is given ccc.test:port and a connection agent that
    /// resolves every name to 127.0.0.1.
    /// </summary>
    private static async Task<JsonElement> NodeSdkAsync(CloudApiStandIn standIn, string secretKey, long from, long to)
    {
        await NpmTools.InstallAsync("tencentcloud-sdk-nodejs-common", NodeSdkVersion, "the Tencent Cloud signature tests");
        var script = Path.Combine(Path.GetTempPath(), $"callpush-tc3-{Guid.NewGuid():N}.js");
        await File.WriteAllTextAsync(script, """
            const http = require("http");
            const { CommonClient } = require("tencentcloud-sdk-nodejs-common");
            const [port, secretId, secretKey, sdkAppId, from, to] = process.argv.slice(2);
            const agent = new http.Agent({
              lookup: (host, options, callback) => options && options.all
                ? callback(null, [{ address: "127.0.0.1", family: 4 }])
                : callback(null, "127.0.0.1", 4),
            });
            const client = new CommonClient(`ccc.test:${port}`, "2020-02-10", {
              credential: { secretId, secretKey },
              region: "ap-singapore",
              profile: { httpProfile: { protocol: "http://", agent, reqTimeout: 30 } },
            });
            client.request("DescribeTelCdr", {
              SdkAppId: Number(sdkAppId), StartTimeStamp: Number(from), EndTimeStamp: Number(to), PageSize: 100, PageNumber: 0,
            })
              .then(r => console.log(JSON.stringify({ ok: true, TotalCount: r.TotalCount, Sessions: r.TelCdrList.map(c => c.SessionId) })))
              .catch(e => console.log(JSON.stringify({ ok: false, code: e.code, message: e.message })));
            """);
        try
        {
            var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["NODE_PATH"] = Path.Combine(NpmTools.Folder, "node_modules");
            foreach (var argument in new[] { script, standIn.Endpoint.Port.ToString(CultureInfo.InvariantCulture), CloudApiStandIn.SecretId, secretKey,
                TelCdrs.SdkAppId.ToString(CultureInfo.InvariantCulture), from.ToString(CultureInfo.InvariantCulture), to.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            var text = await output;
            Assert.True(process.ExitCode == 0 && text.Length > 0, $"node failed ({process.ExitCode}): {await error}");
            return JsonSerializer.Deserialize<JsonElement>(text);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
