package io.rollguard.sample;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads small files whole through one reused buffer. The process sampler reads hundreds of {@code /proc} files per
 * sample: a buffer per file would be most of the agent's garbage. procfs files report size 0, so a file is read
 * until end of file, never by its size. Not thread-safe: one per sampler.
 */
final class SmallFileReader {
    // Reading through a heap buffer copies via a per-thread direct buffer as large as one read; reading in chunks
    // keeps that one small even when a long command line grows the heap buffer.
    private static final int CHUNK = 8192;

    private byte[] buffer = new byte[CHUNK];

    String read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int length = 0;
            while (true) {
                if (length == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
                int read = channel.read(ByteBuffer.wrap(buffer, length, Math.min(CHUNK, buffer.length - length)));
                if (read < 0) {
                    return new String(buffer, 0, length, StandardCharsets.UTF_8);
                }
                length += read;
            }
        }
    }
}
