"""Writes MP3 files made of valid MPEG-1 Layer III frames (128 kb/s, 44.1 kHz): NAME SIZE_BYTES [NAME SIZE_BYTES ...]."""
import sys

# Frame header FF FB 90 64: MPEG-1 Layer III, no CRC, 128 kb/s, 44.1 kHz, no padding -> 417 bytes per frame.
FRAME = bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)

args = sys.argv[1:]
for name, size in zip(args[::2], args[1::2]):
    frames = max(1, int(size) // len(FRAME))
    with open(name, "wb") as out:
        chunk = FRAME * 2048
        left = frames
        while left > 0:
            n = min(left, 2048)
            out.write(chunk if n == 2048 else FRAME * n)
            left -= n
