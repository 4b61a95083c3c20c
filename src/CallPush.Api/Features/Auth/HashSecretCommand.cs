namespace CallPush.Api.Features.Auth;

/// <summary><c>hash-secret</c>: reads a secret from standard input and prints the hash to configure instead.</summary>
internal static class HashSecretCommand
{
    public const string Name = "hash-secret";

    public static int Run(TextReader input, TextWriter output, TextWriter error)
    {
        var secret = input.ReadLine();
        if (string.IsNullOrEmpty(secret))
        {
            error.WriteLine("Write the secret on standard input, for example: printf '%s\\n' \"$SECRET\" | dotnet run --project src/CallPush.Api -- hash-secret");
            return 2;
        }
        output.WriteLine(StoredSecret.Hash(secret));
        return 0;
    }
}
