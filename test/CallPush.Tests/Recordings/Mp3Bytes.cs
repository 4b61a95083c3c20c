namespace CallPush.Tests.Recordings;

/// <summary>Generated MPEG-1 Layer III bytes (128 kbit/s, 44.1 kHz): every frame 417 or 418 bytes and 1152 samples long.</summary>
public static class Mp3Bytes
{
    public const double FrameSeconds = 1152.0 / 44100;

    /// <summary><paramref name="frames"/> frames of constant bitrate, optionally behind an ID3v2 tag; frame payloads vary with the seed.</summary>
    public static byte[] Cbr(int frames, int seed = 1, bool id3 = false)
    {
        var random = new Random(seed);
        using var bytes = new MemoryStream();
        if (id3)
        {
            var tag = new byte[300];
            random.NextBytes(tag);
            bytes.Write([(byte)'I', (byte)'D', (byte)'3', 4, 0, 0, 0, 0, 0x02, 0x2C]); // size 300, syncsafe
            bytes.Write(tag);
        }
        for (var i = 0; i < frames; i++)
        {
            var padded = i % 3 == 0;
            bytes.Write(Frame(padded, random));
        }
        return bytes.ToArray();
    }

    /// <summary>A Xing header frame saying <paramref name="declaredFrames"/>, followed by a few real frames.</summary>
    public static byte[] WithXing(int declaredFrames)
    {
        var random = new Random(7);
        var first = new byte[417];
        first[0] = 0xFF;
        first[1] = 0xFB;
        first[2] = 0x90;
        first[3] = 0x00; // stereo: side information is 32 bytes
        "Xing"u8.CopyTo(first.AsSpan(36));
        first[43] = 0x01; // flags: frame count present
        first[44] = (byte)(declaredFrames >> 24);
        first[45] = (byte)(declaredFrames >> 16);
        first[46] = (byte)(declaredFrames >> 8);
        first[47] = (byte)declaredFrames;
        using var bytes = new MemoryStream();
        bytes.Write(first);
        for (var i = 0; i < 5; i++)
        {
            bytes.Write(Frame(false, random));
        }
        return bytes.ToArray();
    }

    private static byte[] Frame(bool padded, Random random)
    {
        var frame = new byte[417 + (padded ? 1 : 0)];
        random.NextBytes(frame);
        frame[0] = 0xFF;
        frame[1] = 0xFB; // MPEG-1, layer III, no CRC
        frame[2] = (byte)(0x90 | (padded ? 0x02 : 0)); // 128 kbit/s, 44.1 kHz
        frame[3] = 0x00;
        return frame;
    }
}
