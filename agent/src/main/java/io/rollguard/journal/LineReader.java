package io.rollguard.journal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into newline-terminated lines and keeps their byte offsets, which a reader decoding characters
 * would lose and which truncating a torn last line needs. A line longer than the limit is consumed without being
 * kept, so a damaged file costs bounded memory.
 */
final class LineReader {
    /**
     * @param bytes the line without its newline; null when it was longer than the limit
     * @param terminated false only for a last line that ends without a newline: a write cut short
     */
    record Line(long number, long offset, long length, byte[] bytes, boolean terminated) {}

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private long offset;
    private long number;
    private byte[] line = new byte[256];

    LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null at the end of the stream. */
    Line next() throws IOException {
        long start = offset;
        int kept = 0;
        boolean tooLong = false;
        while (true) {
            if (position == limit && !fill()) {
                if (offset == start) {
                    return null;
                }
                return finish(start, kept, tooLong, false);
            }
            byte b = buffer[position++];
            offset++;
            if (b == '\n') {
                return finish(start, kept, tooLong, true);
            }
            if (tooLong) {
                continue;
            }
            if (kept == maxLineBytes) {
                tooLong = true;
                continue;
            }
            if (kept == line.length) {
                line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
            }
            line[kept++] = b;
        }
    }

    private Line finish(long start, int kept, boolean tooLong, boolean terminated) {
        number++;
        byte[] bytes = tooLong ? null : Arrays.copyOf(line, kept);
        return new Line(number, start, offset - start, bytes, terminated);
    }

    private boolean fill() throws IOException {
        int read = in.read(buffer);
        if (read <= 0) {
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }
}
