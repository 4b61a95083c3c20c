namespace CallPush.Api.Persistence;

public sealed class IvrKeyPress
{
    public long Id { get; set; }
    public long CallSessionId { get; set; }
    public required string Stage { get; set; }
    public int Position { get; set; }
    public string? Key { get; set; }
    public string? Label { get; set; }
    public DateTimeOffset? PressedAt { get; set; }
}
