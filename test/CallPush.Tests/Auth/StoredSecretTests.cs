using CallPush.Api.Features.Auth;

namespace CallPush.Tests.Auth;

/// <summary>Secret checks are pure functions: plain text and PBKDF2 hashes, rotation pairs, malformed hashes.</summary>
public sealed class StoredSecretTests
{
    [Fact]
    public void A_plain_secret_matches_itself_only()
    {
        var secret = StoredSecret.Parse("correct horse");

        Assert.False(secret.IsHashed);
        Assert.True(secret.Matches("correct horse"));
        Assert.False(secret.Matches("correct hors"));
        Assert.False(secret.Matches("correct horse "));
        Assert.False(secret.Matches(string.Empty));
    }

    [Fact]
    public void A_hashed_secret_matches_the_value_it_was_made_from_every_time()
    {
        var secret = StoredSecret.Parse(StoredSecret.Hash("s3cret-value", iterations: 10_000));

        Assert.True(secret.IsHashed);
        Assert.False(secret.Matches("wrong"));
        Assert.True(secret.Matches("s3cret-value"));
        Assert.True(secret.Matches("s3cret-value")); // the remembered digest path
        Assert.False(secret.Matches("wrong"));
    }

    [Theory]
    [InlineData("pbkdf2-sha256$")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // too few iterations
    [InlineData("pbkdf2-sha256$210000$not base64$AAAA")]
    [InlineData("pbkdf2-sha256$210000$c2FsdHNhbHQ=$c2hvcnQ=")] // hash too short
    [InlineData("pbkdf2-sha256$x$c2FsdHNhbHQ=$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void A_malformed_hash_is_refused_rather_than_taken_as_a_password(string value)
    {
        Assert.True(StoredSecret.LooksHashed(value));
        Assert.False(StoredSecret.TryParse(value, out _));
        Assert.Throws<FormatException>(() => StoredSecret.Parse(value));
    }

    [Fact]
    public void A_credential_set_accepts_each_pair_and_never_a_crossed_one()
    {
        var set = CredentialSet.From("tccc", "old-password", "tccc-2027", StoredSecret.Hash("new-password", iterations: 10_000));

        Assert.True(set.Matches("tccc", "old-password"));
        Assert.True(set.Matches("tccc-2027", "new-password"));
        Assert.False(set.Matches("tccc", "new-password"));
        Assert.False(set.Matches("tccc-2027", "old-password"));
        Assert.False(set.Matches("TCCC", "old-password"));
        Assert.False(CredentialSet.From(null, null, null, null).Matches("tccc", "old-password"));
        Assert.True(CredentialSet.From(null, null, null, null).IsEmpty);
    }

    [Fact]
    public void The_secondary_secret_defaults_to_the_primary_id()
    {
        var set = CredentialSet.From("tccc", "old-password", null, "new-password");

        Assert.True(set.Matches("tccc", "new-password"));
        Assert.Equal(["tccc", "tccc"], set.All.Select(c => c.Id));
    }
}
