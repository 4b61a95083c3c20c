namespace CallPush.Tests.Infrastructure;

/// <summary>A test class whose every test gets its own service on its own fresh database.</summary>
public abstract class AppTest(PostgresFixture postgres, IReadOnlyDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    protected CallPushApp App { get; private set; } = null!;
    protected HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        App = await CallPushApp.StartAsync(postgres, settings);
        Client = App.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
