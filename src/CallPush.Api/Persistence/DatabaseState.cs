namespace CallPush.Api.Persistence;

/// <summary>Whether the schema is known to be current; pushes are answered 503 until it is.</summary>
public sealed class DatabaseState
{
    private volatile bool _schemaIsCurrent;

    public bool SchemaIsCurrent => _schemaIsCurrent;

    public void MarkSchemaCurrent() => _schemaIsCurrent = true;
}
