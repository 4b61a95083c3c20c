namespace CallPush.Api.Features.Push;

public enum PushAction
{
    Cdr,
    Record,
    Voicemail,
}

internal static class PushActions
{
    public static bool TryParse(string? value, out PushAction action)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "cdr":
                action = PushAction.Cdr;
                return true;
            case "record":
                action = PushAction.Record;
                return true;
            case "voicemail":
                action = PushAction.Voicemail;
                return true;
            default:
                action = default;
                return false;
        }
    }

    public static string Name(this PushAction action) => action switch
    {
        PushAction.Cdr => "cdr",
        PushAction.Record => "record",
        _ => "voicemail",
    };
}
