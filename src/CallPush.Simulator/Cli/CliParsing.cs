using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace CallPush.Simulator.Cli;

internal static class CliParsing
{
    /// <summary>"10s", "2m", "500ms", "1h", or a TimeSpan such as "00:00:10".</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        text = text.Trim();
        (string Suffix, double Scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, scale) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                duration = TimeSpan.FromSeconds(value * scale);
                return true;
            }
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero;
    }

    public static Option<TimeSpan> DurationOption(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = Duration,
    };

    public static Option<TimeSpan?> OptionalDurationOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => Duration(result),
    };

    public static Option<double> ShareOption(string name, string description)
    {
        var option = new Option<double>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is < 0 or > 1)
            {
                result.AddError($"{name} is a share of pushes between 0 and 1, e.g. 0.05");
            }
        });
        return option;
    }

    public static Uri HttpUrl(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return url;
        }
        result.AddError($"'{text}' is not an http:// or https:// address");
        return null!;
    }

    private static TimeSpan Duration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (TryParseDuration(text, out var duration))
        {
            return duration;
        }
        result.AddError($"'{text}' is not a duration: write e.g. 500ms, 10s, 2m or 00:01:30");
        return default;
    }
}
