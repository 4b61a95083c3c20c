using System.CommandLine;
using System.Globalization;
using CallPush.Simulator.Load;
using CallPush.Simulator.Manifest;
using CallPush.Simulator.Sending;
using CallPush.Simulator.Verify;
using Spectre.Console;

namespace CallPush.Simulator.Cli;

/// <summary>
/// The commands. The console and the HTTP handler come from outside so that tests can run them against the service
/// in a test host and read what they print.
/// </summary>
internal static class SimulatorCli
{
    public const string ConnectionVariable = "ConnectionStrings__CallPush";

    public static RootCommand Build(IAnsiConsole console, Func<HttpMessageHandler>? handler = null)
    {
        var root = new RootCommand("Pushes call records to CallPush the way the contact-center platform does, measures it, and checks what was stored.");
        root.Add(Send(console, handler));
        root.Add(LoadCommand(console, handler));
        root.Add(VerifyCommand(console));
        return root;
    }

    private static HttpClient CreateHttpClient(Func<HttpMessageHandler>? handler) =>
        new(handler?.Invoke() ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
        {
            // Each delivery has its own timeout (--timeout): a timed-out delivery is a failed attempt, not an exception.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };

    private static Command Send(IAnsiConsole console, Func<HttpMessageHandler>? handler)
    {
        var sender = new SenderOptions();
        var manifestPath = new Option<string?>("--manifest") { Description = "Also write what was sent to this manifest file, for verify" };
        var command = new Command("send", "Pushes one generated session (CDR, recordings, voicemail) and prints every request and answer: a connection test.");
        sender.AddTo(command);
        command.Add(manifestPath);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var http = CreateHttpClient(handler);
            var client = sender.CreateClient(parse, http, captureExchanges: true);
            var session = sender.CreateGenerator(parse).Next();
            console.MarkupLine($"Pushing to [bold]{Markup.Escape(client.Options.PushUrl.ToString())}[/], authentication: {Markup.Escape(client.Authentication.Describe())}");
            console.MarkupLine($"Session [bold]{Markup.Escape(session.SessionId)}[/]: {(session.Cdr.Direction == 0 ? "inbound" : "outbound")}, " +
                $"{Markup.Escape(session.Cdr.EndStatusString)}, {session.Participants} participant(s), {session.Records.Count} recording(s), " +
                $"{(session.Voicemail is null ? "no" : "a")} voicemail");
            var deliveries = new List<PushDelivery>();
            foreach (var push in session.Pushes())
            {
                var delivery = await client.SendAsync(push, cancellationToken);
                deliveries.Add(delivery);
                foreach (var attempt in delivery.Attempts)
                {
                    console.Write(new Rule($"{push.Action} push, attempt {attempt.Number}") { Justification = Justify.Left });
                    console.WriteLine(attempt.Request ?? "(the request could not be built)");
                    console.WriteLine();
                    var color = attempt.Acknowledged ? "green" : "red";
                    console.MarkupLine($"[{color}]{Markup.Escape(attempt.Answer ?? attempt.Failure ?? "no answer")}[/]" +
                        (attempt.Answer is null && attempt.ErrMsg is not null ? $" ({Markup.Escape(attempt.ErrMsg)})" : string.Empty) +
                        $" [grey]in {attempt.Latency.TotalMilliseconds:0.0} ms[/]");
                }
            }
            if (parse.GetValue(manifestPath) is { } path)
            {
                await using var manifest = new ManifestWriter(path);
                manifest.Write(new DeliveredSession(session, deliveries).ToManifest());
            }
            var failed = deliveries.Count(d => !d.Acknowledged);
            console.MarkupLine(failed == 0
                ? $"[green]All {deliveries.Count} pushes were answered ErrCode 0.[/]"
                : $"[red]{failed} of {deliveries.Count} pushes were not answered ErrCode 0 after {client.Options.MaxRetries} re-pushes.[/]");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command LoadCommand(IAnsiConsole console, Func<HttpMessageHandler>? handler)
    {
        var sender = new SenderOptions();
        var concurrency = new Option<int?>("--concurrency", "-c") { Description = "Sessions in flight at once (closed loop); the default when --rate is not given: 16" };
        var rate = new Option<double?>("--rate", "-r") { Description = "Sessions started per second (open loop)" };
        var duration = CliParsing.OptionalDurationOption("--duration", "How long to start new sessions, e.g. 30s (default 10s unless --count)");
        var count = new Option<int?>("--count", "-n") { Description = "How many sessions to send" };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "With --rate: at most this many sessions in flight", DefaultValueFactory = _ => 1000 };
        var duplicates = CliParsing.ShareOption("--duplicates", "Share of pushes delivered twice at once with the same UUID");
        var recordsFirst = CliParsing.ShareOption("--records-first", "Share of sessions whose recordings are pushed before the CDR");
        var cdrRepushes = CliParsing.ShareOption("--cdr-repushes", "Share of sessions whose CDR is pushed again with a new UUID");
        var drops = CliParsing.ShareOption("--drop", "Share of pushes dropped before sending, as if the platform lost them");
        var platformCdrs = new Option<string?>("--platform-cdrs")
        {
            Description = "Also write every generated session's CDR, sent or dropped, as JSON lines: the platform's own record of the calls",
        };
        var manifestPath = new Option<string>("--manifest") { Description = "Where to write what was sent, for verify", DefaultValueFactory = _ => "callpush-sim-manifest.jsonl" };
        var command = new Command("load", "Sends generated sessions at a rate or a concurrency, then prints pushes/s, latency percentiles and the ErrCode histogram.");
        sender.AddTo(command);
        foreach (var option in new Option[] { concurrency, rate, duration, count, maxInFlight, duplicates, recordsFirst, cdrRepushes, drops, platformCdrs, manifestPath })
        {
            command.Add(option);
        }
        command.Validators.Add(result =>
        {
            if (result.GetValue(concurrency) is not null && result.GetValue(rate) is not null)
            {
                result.AddError("give either --concurrency or --rate, not both");
            }
            if (result.GetValue(concurrency) is < 1 || result.GetValue(rate) is <= 0 || result.GetValue(count) is < 1)
            {
                result.AddError("--concurrency, --rate and --count are positive");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new LoadOptions
            {
                Rate = parse.GetValue(rate),
                Concurrency = parse.GetValue(rate) is null ? parse.GetValue(concurrency) ?? 16 : null,
                Count = parse.GetValue(count),
                Duration = parse.GetValue(duration) ?? (parse.GetValue(count) is null ? TimeSpan.FromSeconds(10) : null),
                MaxInFlight = parse.GetValue(maxInFlight),
                Seed = parse.GetValue(sender.Seed),
                Faults = new FaultOptions
                {
                    Duplicates = parse.GetValue(duplicates),
                    RecordsFirst = parse.GetValue(recordsFirst),
                    CdrRepushes = parse.GetValue(cdrRepushes),
                    Drops = parse.GetValue(drops),
                },
            };
            using var http = CreateHttpClient(handler);
            var client = sender.CreateClient(parse, http, captureExchanges: false);
            LoadReport report;
            string manifestFile;
            await using (var manifest = new ManifestWriter(parse.GetValue(manifestPath)!))
            await using (var platform = parse.GetValue(platformCdrs) is { } platformPath ? new ManifestWriter(platformPath) : null)
            {
                manifestFile = manifest.Path;
                var runner = new LoadRunner(client, sender.CreateGenerator(parse), options, manifest) { PlatformCdrs = platform };
                console.MarkupLine($"Pushing to [bold]{Markup.Escape(client.Options.PushUrl.ToString())}[/] " +
                    $"({(options.Rate is { } r ? $"{r:0.##} sessions/s" : $"{options.Concurrency} sessions in flight")}, " +
                    $"{(options.Count is { } n ? $"{n} sessions" : $"for {options.Duration!.Value.TotalSeconds:0.#} s")}, " +
                    $"authentication: {Markup.Escape(client.Authentication.Describe())})");
                report = await RunWithProgressAsync(console, runner, cancellationToken);
            }
            WriteReport(console, report);
            console.MarkupLine($"Manifest: [bold]{Markup.Escape(manifestFile)}[/] (check it with: callpush-sim verify --manifest {Markup.Escape(manifestFile)})");
            return report.PushesFailed == 0 ? 0 : 1;
        });
        return command;
    }

    private static async Task<LoadReport> RunWithProgressAsync(IAnsiConsole console, LoadRunner runner, CancellationToken cancellationToken)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await runner.RunAsync(s => console.MarkupLine(Markup.Escape(Describe(s))), TimeSpan.FromSeconds(5), cancellationToken);
        }
        LoadReport? report = null;
        await console.Status().StartAsync("starting", async context =>
        {
            report = await runner.RunAsync(s => context.Status(Markup.Escape(Describe(s))), TimeSpan.FromMilliseconds(250), cancellationToken);
        });
        return report!;
    }

    private static string Describe(LoadSnapshot s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Elapsed.TotalSeconds,6:0.0} s  sessions {s.SessionsDone}/{s.SessionsStarted}  pushes ok {s.PushesAcknowledged}  " +
        $"failed {s.PushesFailed}  deliveries {s.Attempts}  in flight {s.InFlight}  " +
        $"{(s.Elapsed.TotalSeconds > 0 ? s.PushesAcknowledged / s.Elapsed.TotalSeconds : 0):0} pushes/s");

    private static void WriteReport(IAnsiConsole console, LoadReport report)
    {
        var summary = new Table().AddColumns("measure", "value").HideHeaders();
        summary.AddRow("elapsed", $"{report.Elapsed.TotalSeconds:0.0} s");
        summary.AddRow("sessions", $"{report.Sessions} ({report.SessionsPerSecond:0.0}/s)");
        summary.AddRow("pushes acknowledged", $"{report.PushesAcknowledged} of {report.Pushes} ([bold]{report.PushesPerSecond:0.0} pushes/s[/])");
        summary.AddRow("deliveries", $"{report.Attempts} ({report.AttemptsPerSecond:0.0}/s)");
        summary.AddRow("latency p50 / p95 / p99", $"{report.P50Milliseconds:0.0} / {report.P95Milliseconds:0.0} / {report.P99Milliseconds:0.0} ms");
        summary.AddRow("latency max", $"{report.MaxMilliseconds:0.0} ms");
        console.Write(summary);

        var histogram = new Table().AddColumns("answer (ErrCode)", "deliveries");
        foreach (var (outcome, deliveries) in report.Outcomes)
        {
            histogram.AddRow(Markup.Escape(outcome), deliveries.ToString(CultureInfo.InvariantCulture));
        }
        console.Write(histogram);
        if (report.PushesFailed > 0)
        {
            console.MarkupLine($"[red]{report.PushesFailed} push(es) were still not answered ErrCode 0 after the re-pushes.[/]");
        }
    }

    private static Command VerifyCommand(IAnsiConsole console)
    {
        var manifestPath = new Option<string>("--manifest") { Description = "The manifest load wrote", DefaultValueFactory = _ => "callpush-sim-manifest.jsonl" };
        var connection = new Option<string?>("--connection") { Description = $"Npgsql connection string of CallPush's database (or set {ConnectionVariable})" };
        var command = new Command("verify", "Checks CallPush's database against a manifest: every session exactly once, with its participants, recordings and voicemails.");
        command.Add(manifestPath);
        command.Add(connection);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connectionString = parse.GetValue(connection) ?? Environment.GetEnvironmentVariable(ConnectionVariable);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                console.MarkupLine($"[red]verify needs --connection or {ConnectionVariable}.[/]");
                return 2;
            }
            var manifest = await ManifestReader.ReadAsync(parse.GetValue(manifestPath)!, cancellationToken);
            var report = await Verifier.VerifyAsync(connectionString, manifest, cancellationToken);
            console.MarkupLine($"{report.Sessions} sessions, {report.Pushes} distinct pushes ({report.AcknowledgedPushes} acknowledged, " +
                $"{report.UnacknowledgedPushes} never acknowledged).");
            if (report.Passed)
            {
                console.MarkupLine("[green]Verified: every acknowledged push is stored exactly once; no session lost or duplicated.[/]");
                return 0;
            }
            var problems = new Table().AddColumns("session", "problem", "detail");
            foreach (var problem in report.Problems.Take(50))
            {
                problems.AddRow(Markup.Escape(problem.SessionId), problem.Kind, Markup.Escape(problem.Detail));
            }
            console.Write(problems);
            console.MarkupLine($"[red]{report.Problems.Count(p => p.Kind == "lost")} loss(es), " +
                $"{report.Problems.Count(p => p.Kind == "duplicate")} duplicate(s).[/]");
            return 1;
        });
        return command;
    }
}
