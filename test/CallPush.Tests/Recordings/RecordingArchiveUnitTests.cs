using System.Net;
using CallPush.Api.Features.Recordings;

namespace CallPush.Tests.Recordings;

public sealed class RecordingArchiveUnitTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(1000, false)]
    public void The_duration_of_a_constant_bitrate_mp3_is_the_sum_of_its_frames(int frames, bool id3)
    {
        var duration = Mp3Duration.Of(new MemoryStream(Mp3Bytes.Cbr(frames, id3: id3)));

        if (frames < 3)
        {
            Assert.Null(duration);
        }
        else
        {
            Assert.Equal(frames * Mp3Bytes.FrameSeconds, duration!.Value, 2);
        }
    }

    [Fact]
    public void A_xing_header_gives_the_frame_count_of_a_variable_bitrate_file()
    {
        Assert.Equal(5000 * Mp3Bytes.FrameSeconds, Mp3Duration.Of(new MemoryStream(Mp3Bytes.WithXing(5000)))!.Value, 2);
    }

    [Fact]
    public void Bytes_that_are_not_mp3_have_no_duration()
    {
        Assert.Null(Mp3Duration.Of(new MemoryStream("RIFF....WAVEfmt "u8.ToArray())));
        Assert.Null(Mp3Duration.Of(new MemoryStream(new byte[4096])));
    }

    [Theory]
    [InlineData("recorder-1.cos.ap-shanghai.myqcloud.com", true)]
    [InlineData("a.b.tencentcos.cn", true)]
    [InlineData("myqcloud.com", false)]
    [InlineData("evilmyqcloud.com", false)]
    [InlineData("myqcloud.com.evil.org", false)]
    [InlineData("files.example.org", true)]
    [InlineData("x.files.example.org", false)]
    public void Hosts_match_the_allowlist_exactly_or_by_a_wildcard_subdomain(string host, bool allowed)
    {
        var guard = new RecordingUrlGuard("*.myqcloud.com, *.tencentcos.cn,files.example.org", allowPrivateAddresses: false);

        Assert.Equal(allowed, guard.IsAllowedHost(host));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.8", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.128.0.1", false)]
    [InlineData("169.254.169.254", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("2001:4860:4860::8888", false)]
    public void Internal_addresses_are_recognised(string address, bool isInternal)
    {
        Assert.Equal(isInternal, RecordingUrlGuard.IsInternal(IPAddress.Parse(address)));
    }

    [Fact]
    public void An_ipv6_literal_url_is_checked_as_an_address()
    {
        var guard = new RecordingUrlGuard("::1", allowPrivateAddresses: false);

        Assert.Equal("address ::1 is internal", guard.Refusal(new Uri("http://[::1]:8080/a.mp3")));
    }

    [Fact]
    public void Storage_keys_keep_only_safe_characters_and_never_climb_out_of_their_folder()
    {
        var key = RecordingStorageKey.For(1400000000, "../../etc", "record", "r/1", "a b@x.com", null,
            new DateTimeOffset(2024, 1, 2, 23, 30, 0, TimeSpan.FromHours(-2)), new Uri("https://h/x/file.WAV?sign=1"));

        Assert.Equal("1400000000/2024/01/03/.._.._etc/record_r_1_a_b@x.com.wav", key);
        Assert.Equal("_..", RecordingStorageKey.Sanitize(".."));
        Assert.Equal("voicemail.mp3", RecordingStorageKey.FileName("voicemail", null, "123", new Uri("https://h/v.bin")));
    }

    [Theory]
    [InlineData("https://b.cos.ap-guangzhou.myqcloud.com/r.mp3?q-sign-algorithm=sha1&q-sign-time=1764547200%3B1764633600&q-signature=x", 1764633600L)]
    [InlineData("https://b.cos.ap-guangzhou.myqcloud.com/r.mp3?q-sign-time=1764547200;1764633600", 1764633600L)]
    [InlineData("https://s3.example.com/r.mp3?X-Amz-Date=20251201T000000Z&X-Amz-Expires=3600&X-Amz-Signature=x", 1764550800L)]
    [InlineData("https://h.qcloud.com/r.mp3?Expires=1764547200&Signature=x", 1764547200L)]
    [InlineData("https://h.qcloud.com/r.mp3?sign=x&t=1764547200", null)]
    [InlineData("https://h.qcloud.com/r.mp3?q-sign-time=garbage", null)]
    [InlineData("https://h.qcloud.com/r.mp3", null)]
    public void A_signed_urls_expiry_is_read_from_its_query_when_it_names_one(string url, long? expiresAt)
    {
        Assert.Equal(expiresAt, RecordingUrlExpiry.ExpiresAt(new Uri(url))?.ToUnixTimeSeconds());
    }
}
