using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace CallPush.Tests.Infrastructure;

/// <summary>Reads the repository's deployment files (Dockerfile, compose, Helm chart) into something to assert on.</summary>
public static partial class DeploymentFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Every document of a YAML file, as JSON (plain scalars typed the way YAML 1.2's core schema types them).</summary>
    public static List<JsonNode?> ReadYaml(string path) => ParseYaml(File.ReadAllText(path));

    public static List<JsonNode?> ParseYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => ToJson(d.RootNode)).ToList();
    }

    /// <summary>
    /// A Helm template with its template actions taken out: comments and lines holding only an action are dropped,
    /// and an action inside a line becomes "x". What remains of the chart's own literal YAML (kinds, ports, probe
    /// paths, commands, annotations) must still parse, with the structure the rendered manifest will have.
    /// </summary>
    public static List<JsonObject> ReadTemplateSkeleton(string path)
    {
        var text = TemplateComment().Replace(File.ReadAllText(path), string.Empty);
        var lines = text.Split('\n')
            .Where(line => !WholeLineAction().IsMatch(line))
            .Select(line => InlineAction().Replace(line, "x"));
        return ParseYaml(string.Join('\n', lines)).OfType<JsonObject>().ToList();
    }

    /// <summary>Dockerfile instructions of the last stage (the image that runs), continuation lines joined.</summary>
    public static List<(string Instruction, string Arguments)> ReadFinalStage(string path)
    {
        var joined = File.ReadAllText(path).Replace("\\\n", " ", StringComparison.Ordinal);
        var instructions = joined.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' ', 2, StringSplitOptions.TrimEntries))
            .Select(parts => (Instruction: parts[0].ToUpperInvariant(), Arguments: parts.Length > 1 ? parts[1] : string.Empty))
            .ToList();
        var lastFrom = instructions.FindLastIndex(i => i.Instruction == "FROM");
        return instructions[lastFrom..];
    }

    /// <summary>Checks <paramref name="value"/> against the JSON Schema keywords the chart's schema uses; lists the violations.</summary>
    public static List<string> ValidateSchema(JsonNode schemaRoot, JsonNode? value) =>
        new SchemaChecker(schemaRoot).Check(schemaRoot, value, "$");

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value ?? string.Empty, ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => ToJson(scalar),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    private static JsonNode? ToJson(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }
        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            // Parsed from JSON text, so that GetValue<double>() works on an integer too.
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) =>
                JsonNode.Parse(integer.ToString(CultureInfo.InvariantCulture)),
            _ when FloatScalar().IsMatch(text) =>
                JsonNode.Parse(double.Parse(text, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(text),
        };
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CallPush.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("the repository root (CallPush.sln) was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\{\{-?\s*/\*.*?\*/\s*-?\}\}\n?", RegexOptions.Singleline)]
    private static partial Regex TemplateComment();

    [GeneratedRegex(@"^\s*\{\{[^{}]*\}\}\s*$")]
    private static partial Regex WholeLineAction();

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex InlineAction();

    [GeneratedRegex(@"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")]
    private static partial Regex FloatScalar();

    /// <summary>
    /// The JSON Schema (draft-07) keywords values.schema.json uses. A keyword it does not know fails the check rather
    /// than being skipped, so the schema cannot outgrow what this proves.
    /// </summary>
    private sealed class SchemaChecker(JsonNode root)
    {
        private static readonly HashSet<string> Annotations = ["$schema", "title", "description", "definitions"];

        public List<string> Check(JsonNode schema, JsonNode? value, string at)
        {
            var errors = new List<string>();
            foreach (var (keyword, argument) in schema.AsObject())
            {
                switch (keyword)
                {
                    case "$ref":
                        errors.AddRange(Check(Resolve(argument!.GetValue<string>()), value, at));
                        break;
                    case "type":
                        var types = argument is JsonArray many ? many.Select(t => t!.GetValue<string>()).ToList() : [argument!.GetValue<string>()];
                        if (!types.Any(type => HasType(value, type)))
                        {
                            errors.Add($"{at}: expected {string.Join(" or ", types)}, found {Describe(value)}");
                        }
                        break;
                    case "enum":
                        if (!argument!.AsArray().Any(option => JsonNode.DeepEquals(option, value)))
                        {
                            errors.Add($"{at}: {Describe(value)} is not one of {argument.ToJsonString()}");
                        }
                        break;
                    case "properties":
                        if (value is JsonObject properties)
                        {
                            foreach (var (name, propertySchema) in argument!.AsObject())
                            {
                                if (properties.TryGetPropertyValue(name, out var property))
                                {
                                    errors.AddRange(Check(propertySchema!, property, $"{at}.{name}"));
                                }
                            }
                        }
                        break;
                    case "additionalProperties":
                        if (value is JsonObject members)
                        {
                            var known = schema["properties"]?.AsObject().Select(p => p.Key).ToHashSet() ?? [];
                            foreach (var (name, member) in members.Where(m => !known.Contains(m.Key)))
                            {
                                if (argument is JsonValue allowed && allowed.GetValueKind() is JsonValueKind.False)
                                {
                                    errors.Add($"{at}.{name}: not allowed by the schema");
                                }
                                else if (argument is JsonObject memberSchema)
                                {
                                    errors.AddRange(Check(memberSchema, member, $"{at}.{name}"));
                                }
                            }
                        }
                        break;
                    case "required":
                        if (value is JsonObject required)
                        {
                            errors.AddRange(argument!.AsArray().Select(n => n!.GetValue<string>())
                                .Where(name => !required.ContainsKey(name)).Select(name => $"{at}.{name}: required"));
                        }
                        break;
                    case "items":
                        if (value is JsonArray items)
                        {
                            for (var i = 0; i < items.Count; i++)
                            {
                                errors.AddRange(Check(argument!, items[i], $"{at}[{i}]"));
                            }
                        }
                        break;
                    case "minItems":
                        if (value is JsonArray counted && counted.Count < argument!.GetValue<int>())
                        {
                            errors.Add($"{at}: fewer than {argument} items");
                        }
                        break;
                    case "pattern":
                        if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String
                            && !Regex.IsMatch(text.GetValue<string>(), argument!.GetValue<string>()))
                        {
                            errors.Add($"{at}: \"{text}\" does not match {argument}");
                        }
                        break;
                    case "minLength":
                        if (value is JsonValue shortText && shortText.GetValueKind() == JsonValueKind.String
                            && shortText.GetValue<string>().Length < argument!.GetValue<int>())
                        {
                            errors.Add($"{at}: shorter than {argument}");
                        }
                        break;
                    case "minimum" or "maximum":
                        if (value is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
                        {
                            var actual = number.GetValue<double>();
                            var bound = argument!.GetValue<double>();
                            if (keyword == "minimum" ? actual < bound : actual > bound)
                            {
                                errors.Add($"{at}: {actual} is outside the {keyword} {bound}");
                            }
                        }
                        break;
                    default:
                        if (!Annotations.Contains(keyword))
                        {
                            errors.Add($"{at}: the schema uses \"{keyword}\", which this check does not implement");
                        }
                        break;
                }
            }
            return errors;
        }

        private JsonNode Resolve(string reference)
        {
            const string prefix = "#/definitions/";
            Assert.StartsWith(prefix, reference);
            return root["definitions"]![reference[prefix.Length..]] ?? throw new InvalidOperationException("no " + reference);
        }

        private static bool HasType(JsonNode? value, string type) => (type, value) switch
        {
            ("null", null) => true,
            (_, null) => false,
            ("object", JsonObject) => true,
            ("array", JsonArray) => true,
            ("string", JsonValue v) => v.GetValueKind() == JsonValueKind.String,
            ("boolean", JsonValue v) => v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
            ("number", JsonValue v) => v.GetValueKind() == JsonValueKind.Number,
            ("integer", JsonValue v) => v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() % 1 == 0,
            _ => false,
        };

        private static string Describe(JsonNode? value) => value is null ? "null" : value.ToJsonString();
    }
}
