namespace CallPush.Api.Features.Recordings;

/// <summary>
/// The duration of an MP3 file from its frame headers: the frame count of a Xing/Info or VBRI header when the first
/// frame has one, otherwise the sum of every frame's duration. Null when the file does not start (after an ID3v2
/// tag) with MPEG audio frames.
/// </summary>
internal static class Mp3Duration
{
    private static readonly int[] SampleRatesMpeg1 = [44100, 48000, 32000];

    // Kbit/s by bitrate index, for MPEG-1 layers I, II, III and MPEG-2/2.5 layer I, layers II and III.
    private static readonly int[][] Bitrates =
    [
        [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ];

    /// <summary>Frames needed in a row before the bytes count as MP3 rather than as a chance 0xFFE pattern.</summary>
    private const int FramesToBelieve = 3;

    public static double? Of(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 65536);
        return Of(file);
    }

    public static double? Of(Stream file)
    {
        var header = new byte[10];
        long position = 0;
        if (ReadAt(file, 0, header) == 10 && header[0] == 'I' && header[1] == 'D' && header[2] == '3')
        {
            var size = (header[6] & 0x7F) << 21 | (header[7] & 0x7F) << 14 | (header[8] & 0x7F) << 7 | (header[9] & 0x7F);
            position = 10 + size + ((header[5] & 0x10) != 0 ? 10 : 0);
        }

        var first = new byte[4];
        if (ReadAt(file, position, first) < 4 || Frame.Parse(first) is not { } firstFrame)
        {
            return null;
        }

        var firstFrameBytes = new byte[Math.Min(firstFrame.Length, 256)];
        var read = ReadAt(file, position, firstFrameBytes);
        if (VbrFrameCount(firstFrame, firstFrameBytes.AsSpan(0, read)) is { } frames)
        {
            return Math.Round(frames * (double)firstFrame.Samples / firstFrame.SampleRate, 3);
        }

        double seconds = 0;
        var count = 0;
        var bytes = new byte[4];
        while (ReadAt(file, position, bytes) == 4 && Frame.Parse(bytes) is { } frame)
        {
            seconds += (double)frame.Samples / frame.SampleRate;
            position += frame.Length;
            count++;
        }
        return count >= FramesToBelieve ? Math.Round(seconds, 3) : null;
    }

    private static long? VbrFrameCount(Frame frame, ReadOnlySpan<byte> bytes)
    {
        var sideInfo = frame.Version == 3 ? (frame.Mono ? 17 : 32) : (frame.Mono ? 9 : 17);
        var xing = 4 + sideInfo;
        if (bytes.Length >= xing + 12 && (bytes.Slice(xing, 4).SequenceEqual("Xing"u8) || bytes.Slice(xing, 4).SequenceEqual("Info"u8)))
        {
            var flags = BigEndian(bytes.Slice(xing + 4, 4));
            return (flags & 1) != 0 ? BigEndian(bytes.Slice(xing + 8, 4)) : null;
        }
        const int vbri = 4 + 32;
        if (bytes.Length >= vbri + 18 && bytes.Slice(vbri, 4).SequenceEqual("VBRI"u8))
        {
            return BigEndian(bytes.Slice(vbri + 14, 4));
        }
        return null;
    }

    private static long BigEndian(ReadOnlySpan<byte> bytes) => (long)bytes[0] << 24 | (long)bytes[1] << 16 | (long)bytes[2] << 8 | bytes[3];

    private static int ReadAt(Stream file, long position, byte[] buffer)
    {
        if (position + buffer.Length > file.Length)
        {
            return 0;
        }
        file.Position = position;
        return file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
    }

    /// <param name="Version">3 for MPEG-1, 2 for MPEG-2, 0 for MPEG-2.5 (the header's own bits).</param>
    private readonly record struct Frame(int Version, int Layer, int SampleRate, int Samples, int Length, bool Mono)
    {
        public static Frame? Parse(ReadOnlySpan<byte> h)
        {
            if (h[0] != 0xFF || (h[1] & 0xE0) != 0xE0)
            {
                return null;
            }
            var version = (h[1] >> 3) & 3;
            var layer = 4 - ((h[1] >> 1) & 3); // 1, 2 or 3; 4 is reserved
            var bitrateIndex = h[2] >> 4;
            var rateIndex = (h[2] >> 2) & 3;
            if (version == 1 || layer == 4 || bitrateIndex is 0 or 15 || rateIndex == 3)
            {
                return null;
            }
            var sampleRate = SampleRatesMpeg1[rateIndex] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
            var table = version == 3 ? layer - 1 : layer == 1 ? 3 : 4;
            var bitrate = Bitrates[table][bitrateIndex] * 1000;
            var padding = (h[2] >> 1) & 1;
            var samples = layer == 1 ? 384 : layer == 3 && version != 3 ? 576 : 1152;
            var length = layer == 1
                ? (12 * bitrate / sampleRate + padding) * 4
                : samples / 8 * bitrate / sampleRate + padding;
            var mono = (h[3] >> 6) == 3;
            return new Frame(version, layer, sampleRate, samples, length, mono);
        }
    }
}
