using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CallPush.Api.Diagnostics;
using CallPush.Api.Hosting;
using CallPush.Api.Persistence;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests;

/// <summary>
/// The Dockerfile, docker-compose.yml and the Helm chart agree with the service they deploy: its port, its health
/// paths, its configuration keys and its migrate command. No Docker engine or helm binary is needed.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private const int ServicePort = 8080;

    private static readonly string ChartFolder = DeploymentFiles.PathOf("charts", "callpush");
    private static readonly string ConnectionStringKey = "ConnectionStrings__" + DatabaseOptions.ConnectionStringName;

    [Fact]
    public void The_container_port_is_8080_in_the_Dockerfile_compose_and_the_chart()
    {
        var image = DeploymentFiles.ReadFinalStage(DeploymentFiles.PathOf("Dockerfile"));
        var deployment = Template("deployment.yaml", "Deployment");
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var service = Template("service.yaml", "Service");

        Assert.Equal([ServicePort.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            image.Where(i => i.Instruction == "EXPOSE").Select(i => i.Arguments));
        Assert.Contains(("ENV", $"ASPNETCORE_HTTP_PORTS={ServicePort}"), image);
        var port = Assert.Single(container["ports"]!.AsArray());
        Assert.Equal(ServicePort, port!["containerPort"]!.GetValue<int>());
        var targetPort = Assert.Single(service["spec"]!["ports"]!.AsArray())!["targetPort"]!.GetValue<string>();
        Assert.Equal(port["name"]!.GetValue<string>(), targetPort);
        var published = ComposeService("callpush")["ports"]!.AsArray().Select(p => p!.GetValue<string>());
        Assert.Equal([ServicePort.ToString(System.Globalization.CultureInfo.InvariantCulture)], published.Select(p => p.Split(':')[^1]));
    }

    [Fact]
    public void The_probes_use_the_service_health_paths()
    {
        var container = Template("deployment.yaml", "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;

        Assert.Equal(HealthEndpoint.LivePath, container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal(HealthEndpoint.ReadyPath, container["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("http", container["livenessProbe"]!["httpGet"]!["port"]!.GetValue<string>());
        Assert.Equal("http", container["readinessProbe"]!["httpGet"]!["port"]!.GetValue<string>());
    }

    [Fact]
    public void Every_CallPush_key_in_compose_and_the_chart_binds_to_a_real_option()
    {
        var valid = OptionKeys().Select(key => key.Replace(":", "__", StringComparison.Ordinal))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var files = new[] { DeploymentFiles.PathOf("docker-compose.yml"), DeploymentFiles.PathOf(".env.example") }
            .Concat(Directory.GetFiles(ChartFolder, "*", SearchOption.AllDirectories));

        var used = files.SelectMany(file => CallPushKey().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetFileName(file), Key: m.Value)))
            .Distinct()
            .ToList();

        Assert.Contains(used, u => u.File == "configmap.yaml" && u.Key == "CallPush__Push__MaxBodyBytes");
        Assert.Contains(used, u => u.File == "docker-compose.yml" && u.Key == "CallPush__Database__MigrateOnStartup");
        Assert.Contains(used, u => u.File == ".env.example" && u.Key == "CallPush__Auth__Mode");
        Assert.Empty(used.Where(u => !valid.Contains(u.Key)).Select(u => $"{u.File}: {u.Key}"));
    }

    [Fact]
    public void The_chart_lets_an_operator_set_every_push_and_database_option()
    {
        var data = Template("configmap.yaml", "ConfigMap")["data"]!.AsObject().Select(p => p.Key).ToHashSet();

        var missing = OptionKeys(typeof(Api.Features.Push.PushOptions), typeof(DatabaseOptions))
            .Select(key => key.Replace(":", "__", StringComparison.Ordinal))
            .Where(key => !data.Contains(key));

        Assert.Empty(missing);
    }

    [Fact]
    public void The_connection_string_reaches_the_service_under_its_real_name()
    {
        var compose = ComposeService("callpush")["environment"]!.AsObject();
        var secret = Template("secret.yaml", "Secret")["data"]!.AsObject();
        var job = Template("migrate-job.yaml", "Job")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var hookSecret = Template("migrate-job.yaml", "Secret")["data"]!.AsObject();

        Assert.StartsWith("Host=postgres;", compose[ConnectionStringKey]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(secret.ContainsKey(ConnectionStringKey));
        Assert.True(hookSecret.ContainsKey(ConnectionStringKey));
        var variable = Assert.Single(job["env"]!.AsArray(), e => e!["name"]!.GetValue<string>() == ConnectionStringKey)!;
        Assert.Equal(ConnectionStringKey, variable["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public void The_migration_job_runs_the_image_entry_point_with_the_migrate_command_before_install_and_upgrade()
    {
        var image = DeploymentFiles.ReadFinalStage(DeploymentFiles.PathOf("Dockerfile"));
        var entryPoint = JsonSerializer.Deserialize<string[]>(Assert.Single(image, i => i.Instruction == "ENTRYPOINT").Arguments)!;
        var job = Template("migrate-job.yaml", "Job");
        var pod = job["spec"]!["template"]!;
        var command = pod["spec"]!["containers"]![0]!["command"]!.AsArray().Select(c => c!.GetValue<string>());

        Assert.Equal(["dotnet", typeof(Program).Assembly.GetName().Name + ".dll"], entryPoint);
        Assert.Equal([.. entryPoint, MigrateCommand.Name], command);
        Assert.True(MigrateCommand.IsRequested([.. command.Skip(entryPoint.Length)]));
        Assert.Equal("pre-install,pre-upgrade", job["metadata"]!["annotations"]!["helm.sh/hook"]!.GetValue<string>());
        Assert.Contains("before-hook-creation", job["metadata"]!["annotations"]!["helm.sh/hook-delete-policy"]!.GetValue<string>(),
            StringComparison.Ordinal);
        Assert.Equal("Never", pod["spec"]!["restartPolicy"]!.GetValue<string>());
        // The Job's pods must not carry the Deployment's selector labels, or the Service would route pushes to a pod
        // that does not serve HTTP.
        Assert.Equal("x-migrate", pod["metadata"]!["labels"]!["app.kubernetes.io/name"]!.GetValue<string>());
        Assert.DoesNotContain("callpush.selectorLabels", TemplateText("migrate-job.yaml"), StringComparison.Ordinal);
        Assert.Contains("CallPush__Database__MigrateOnStartup: {{ not .Values.migrations.job.enabled | quote }}",
            TemplateText("configmap.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_pods_run_unprivileged_on_a_read_only_root_with_a_writable_tmp()
    {
        var values = Values();
        var deployment = Template("deployment.yaml", "Deployment")["spec"]!;
        var pod = deployment["template"]!["spec"]!;
        var image = DeploymentFiles.ReadFinalStage(DeploymentFiles.PathOf("Dockerfile"));

        Assert.True(values["podSecurityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.NotEqual(0, values["podSecurityContext"]!["runAsUser"]!.GetValue<int>());
        Assert.True(values["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.False(values["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal(["ALL"], values["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()));
        var mounts = pod["containers"]![0]!["volumeMounts"]!.AsArray().ToDictionary(m => m!["name"]!.GetValue<string>(), m => m!["mountPath"]!.GetValue<string>());
        var volumes = pod["volumes"]!.AsArray().ToDictionary(v => v!["name"]!.GetValue<string>(), v => v!);
        Assert.Equal("/tmp", mounts["tmp"]);
        Assert.NotNull(volumes["tmp"]["emptyDir"]);
        // The other writable places: downloads and export files in progress (emptyDirs), the recordings store and the
        // export folder, claims owned through the pod's fsGroup.
        Assert.Equal(["export-staging", "exports", "incoming", "recordings", "tmp"], mounts.Keys.Order(StringComparer.Ordinal));
        Assert.NotNull(volumes["incoming"]["emptyDir"]);
        Assert.NotNull(volumes["export-staging"]["emptyDir"]);
        Assert.NotNull(volumes["recordings"]["persistentVolumeClaim"]);
        Assert.NotNull(volumes["exports"]["persistentVolumeClaim"]);
        Assert.Equal(values["podSecurityContext"]!["runAsUser"]!.GetValue<int>(), values["podSecurityContext"]!["fsGroup"]!.GetValue<int>());
        Assert.Equal(0, deployment["strategy"]!["rollingUpdate"]!["maxUnavailable"]!.GetValue<int>());
        Assert.Equal(30, values["terminationGracePeriodSeconds"]!.GetValue<int>());
        Assert.Equal("$APP_UID", Assert.Single(image, i => i.Instruction == "USER").Arguments);
    }

    [Fact]
    public void Compose_starts_the_service_once_the_database_is_healthy_and_pins_every_image()
    {
        var compose = DeploymentFiles.ReadYaml(DeploymentFiles.PathOf("docker-compose.yml")).Single()!["services"]!.AsObject();

        Assert.Equal("service_healthy", ComposeService("callpush")["depends_on"]!["postgres"]!["condition"]!.GetValue<string>());
        Assert.Contains("pg_isready", ComposeService("postgres")["healthcheck"]!["test"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(".env", ComposeService("callpush")["env_file"]!.GetValue<string>());
        Assert.Equal(["otel"], ComposeService("otel-collector")["profiles"]!.AsArray().Select(p => p!.GetValue<string>()));
        foreach (var (_, service) in compose.Where(s => s.Value!["image"] is not null && s.Value["build"] is null))
        {
            Assert.Matches(@":\d+(\.\d+)+", service!["image"]!.GetValue<string>());
        }
        var collector = DeploymentFiles.ReadYaml(DeploymentFiles.PathOf("deploy", "otel-collector.yaml")).Single()!;
        Assert.NotNull(collector["receivers"]!["otlp"]!["protocols"]!["http"]);
    }

    [Fact]
    public void The_values_schema_covers_every_value_and_accepts_the_defaults()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(ChartFolder, "values.schema.json")))!;
        var values = Values();

        Assert.Empty(Uncovered(schema, schema, values, "$"));
        Assert.Empty(DeploymentFiles.ValidateSchema(schema, values));
        values["auth"]!["mode"] = "Digest";
        values["push"]!["storageTimeout"] = "10 seconds";
        values["replicas"] = 3;
        Assert.Equal(3, DeploymentFiles.ValidateSchema(schema, values).Count);
    }

    [Fact]
    public void The_recordings_store_and_the_export_folder_are_where_the_volumes_are_mounted_and_the_image_lets_the_app_user_write_there()
    {
        const string path = "/var/lib/callpush/recordings";
        var config = Template("configmap.yaml", "ConfigMap")["data"]!;
        var container = Template("deployment.yaml", "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var compose = ComposeService("callpush");
        var image = DeploymentFiles.ReadFinalStage(DeploymentFiles.PathOf("Dockerfile"));

        Assert.Equal(path, config["CallPush__Recordings__Path"]!.GetValue<string>());
        Assert.Contains(container["volumeMounts"]!.AsArray(), m => m!["mountPath"]!.GetValue<string>() == path);
        Assert.Equal(path, compose["environment"]!["CallPush__Recordings__Path"]!.GetValue<string>());
        Assert.Contains(compose["volumes"]!.AsArray(), v => v!.GetValue<string>() == "recordings:" + path);
        const string exports = "/var/lib/callpush/exports";
        Assert.Equal(exports, config["CallPush__Exports__FolderRoot"]!.GetValue<string>());
        Assert.Contains(container["volumeMounts"]!.AsArray(), m => m!["mountPath"]!.GetValue<string>() == exports);
        Assert.Equal(exports, compose["environment"]!["CallPush__Exports__FolderRoot"]!.GetValue<string>());
        Assert.StartsWith(exports + "/", compose["environment"]!["CallPush__Exports__TempPath"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(compose["volumes"]!.AsArray(), v => v!.GetValue<string>() == "exports:" + exports);
        Assert.Contains(image, i => i.Instruction == "COPY" && i.Arguments.Contains("--chown=$APP_UID", StringComparison.Ordinal)
            && i.Arguments.EndsWith(" /var/lib/callpush", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_template_is_yaml_once_its_template_actions_are_taken_out()
    {
        var kinds = Directory.GetFiles(Path.Combine(ChartFolder, "templates"), "*.yaml")
            .SelectMany(DeploymentFiles.ReadTemplateSkeleton)
            .Select(document => $"{document["apiVersion"]!.GetValue<string>()} {document["kind"]!.GetValue<string>()}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(
        [
            "apps/v1 Deployment", "autoscaling/v2 HorizontalPodAutoscaler", "batch/v1 Job", "networking.k8s.io/v1 Ingress",
            "policy/v1 PodDisruptionBudget", "v1 ConfigMap", "v1 PersistentVolumeClaim", "v1 PersistentVolumeClaim", "v1 Secret", "v1 Secret", "v1 Service",
            "v1 ServiceAccount",
        ], kinds);
    }

    [Fact]
    public void The_notes_print_the_push_url_and_the_token_url()
    {
        var notes = File.ReadAllText(Path.Combine(ChartFolder, "templates", "NOTES.txt"));

        Assert.Contains("://{{ .Values.ingress.host }}/push", notes, StringComparison.Ordinal);
        Assert.Contains("/oauth/token", notes, StringComparison.Ordinal);
        var published = Values()["ingress"]!["paths"]!.AsArray().Select(p => p!["path"]!.GetValue<string>());
        Assert.Equal(["/push", "/oauth/token"], published);
    }

    /// <summary>"Section:Property" for every options class (a type named *Options with a Section constant).</summary>
    private static IEnumerable<string> OptionKeys(params Type[] types)
    {
        if (types.Length == 0)
        {
            types = typeof(Program).Assembly.GetTypes()
                .Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && SectionOf(t) is not null)
                .ToArray();
            Assert.Contains(typeof(Api.Features.Auth.PushAuthOptions), types);
        }
        Assert.Contains(typeof(Api.Features.Push.PushOptions), types);
        return types.SelectMany(t => Keys(SectionOf(t)!, t));

        static string? SectionOf(Type type) =>
            type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field ? (string?)field.GetRawConstantValue() : null;

        static IEnumerable<string> Keys(string prefix, Type type) =>
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true })
                .SelectMany(p => IsLeaf(p.PropertyType) ? [$"{prefix}:{p.Name}"] : Keys($"{prefix}:{p.Name}", p.PropertyType));

        static bool IsLeaf(Type type)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
                || type == typeof(Uri) || type == typeof(DateTimeOffset) || type.IsArray || type.IsGenericType;
        }
    }

    /// <summary>Paths of values.yaml that the schema does not describe (where it lists an object's properties).</summary>
    private static IEnumerable<string> Uncovered(JsonNode root, JsonNode schema, JsonNode? value, string at)
    {
        if (schema["$ref"] is { } reference)
        {
            schema = root["definitions"]![reference.GetValue<string>().Split('/')[^1]]!;
        }
        if (value is not JsonObject members || schema["properties"] is not JsonObject properties)
        {
            return [];
        }
        return members.SelectMany(member => properties[member.Key] is { } propertySchema
            ? Uncovered(root, propertySchema, member.Value, $"{at}.{member.Key}")
            : [$"{at}.{member.Key}"]);
    }

    private static JsonNode Values() => DeploymentFiles.ReadYaml(Path.Combine(ChartFolder, "values.yaml")).Single()!;

    private static string TemplateText(string file) => File.ReadAllText(Path.Combine(ChartFolder, "templates", file));

    private static JsonObject Template(string file, string kind) =>
        Assert.Single(DeploymentFiles.ReadTemplateSkeleton(Path.Combine(ChartFolder, "templates", file)),
            document => document["kind"]?.GetValue<string>() == kind);

    private static JsonNode ComposeService(string name) =>
        DeploymentFiles.ReadYaml(DeploymentFiles.PathOf("docker-compose.yml")).Single()!["services"]![name]!;

    [GeneratedRegex(@"\bCallPush__[A-Za-z0-9_]+")]
    private static partial Regex CallPushKey();
}
