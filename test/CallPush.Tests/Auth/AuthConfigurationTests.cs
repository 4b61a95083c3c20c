using CallPush.Api.Features.Auth;
using CallPush.Tests.Infrastructure;

namespace CallPush.Tests.Auth;

public sealed class AuthConfigurationTests(PostgresFixture postgres)
{
    [Theory]
    [InlineData("Basic", null, "CallPush__Auth__Basic__Username")]
    [InlineData("Basic", "Basic:Username=tccc", "CallPush__Auth__Basic__Password")]
    [InlineData("basicauth", null, "CallPush__Auth__Mode")]
    [InlineData("2", null, "CallPush__Auth__Mode")]
    [InlineData("OAuth2", null, "CallPush__Auth__OAuth2__ClientId")]
    [InlineData("OAuth2", "OAuth2:ClientId=tccc", "CallPush__Auth__OAuth2__ClientSecret")]
    [InlineData("OAuth2", "OAuth2:IntrospectionEndpoint=http://127.0.0.1:9/introspect", "CallPush__Auth__OAuth2__IntrospectionClientId")]
    [InlineData("Basic", "Basic:Username=tccc;Basic:Password=pbkdf2-sha256$1$x$y", "CallPush__Auth__Basic__Password")]
    [InlineData("Basic", "Basic:Username=tccc;Basic:Password=p;Basic:SecondaryUsername=new", "CallPush__Auth__Basic__SecondaryPassword")]
    public async Task A_mode_without_what_it_needs_stops_start_up_naming_the_key(string mode, string? extra, string key)
    {
        var settings = new Dictionary<string, string?> { ["CallPush:Auth:Mode"] = mode };
        foreach (var pair in (extra ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            settings["CallPush:Auth:" + name] = value;
        }
        await using var app = new CallPushApp(await postgres.CreateDatabaseAsync(), settings);

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.True(Messages(error).Contains(key, StringComparison.Ordinal), error.ToString());
    }

    [Fact]
    public async Task Without_a_mode_pushes_are_accepted_unauthenticated()
    {
        await using var app = await CallPushApp.StartAsync(postgres);
        using var client = app.CreateClient();

        Assert.Equal(0, (await client.PushAndReadAsync("record", Samples.Record, "uuid-none")).ErrCode);
    }

    [Fact]
    public void Hash_secret_prints_a_hash_that_verifies_the_secret_from_stdin()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = HashSecretCommand.Run(new StringReader("my-long-random-secret\n"), output, error);
        var hash = output.ToString().Trim();

        Assert.Equal(0, exitCode);
        Assert.StartsWith("pbkdf2-sha256$210000$", hash, StringComparison.Ordinal);
        Assert.DoesNotContain("my-long-random-secret", hash, StringComparison.Ordinal);
        Assert.True(StoredSecret.TryParse(hash, out var stored));
        Assert.True(stored.IsHashed);
        Assert.True(stored.Matches("my-long-random-secret"));
        Assert.True(stored.Matches("my-long-random-secret"));
        Assert.False(stored.Matches("my-long-random-secreT"));
        Assert.NotEqual(hash, StoredSecret.Hash("my-long-random-secret"));
    }

    [Fact]
    public void Hash_secret_refuses_an_empty_secret()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(2, HashSecretCommand.Run(new StringReader(string.Empty), output, error));
        Assert.Empty(output.ToString());
    }

    private static string Messages(Exception error) => error switch
    {
        AggregateException aggregate => string.Join(" | ", aggregate.InnerExceptions.Select(Messages)),
        { InnerException: { } inner } => error.Message + " | " + Messages(inner),
        _ => error.Message,
    };
}
