package io.rollguard.journal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A file's lines from the last to the first, with their byte offsets. At start-up the journal needs only its newest
 * events and the state of the last line, so it reads from the end and stops once it has enough: opening costs the
 * same whatever the size of the files.
 */
final class BackwardLineReader {
    /**
     * @param length the line's bytes on disk, its newline included
     * @param bytes the line without its newline; null when it is longer than the limit
     * @param terminated false only for a last line that ends without a newline: a write cut short
     */
    record Line(long offset, long length, byte[] bytes, boolean terminated) {}

    private static final int WINDOW_BYTES = 64 * 1024;

    private final FileChannel channel;
    private final int maxLineBytes;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private long windowStart;
    private long windowEnd;
    private long contentEnd; // where the content of the line to return next ends; -1 once the first line is returned
    private boolean terminated;

    BackwardLineReader(FileChannel channel, int maxLineBytes) throws IOException {
        this.channel = channel;
        this.maxLineBytes = maxLineBytes;
        long size = channel.size();
        if (size == 0) {
            contentEnd = -1;
        } else if (byteAt(size - 1) == '\n') {
            contentEnd = size - 1;
            terminated = true;
        } else {
            contentEnd = size;
        }
    }

    /** The line before the one returned last (at first, the last line), or null after the first line. */
    Line previous() throws IOException {
        if (contentEnd < 0) {
            return null;
        }
        long start = contentEnd;
        while (start > 0 && byteAt(start - 1) != '\n') {
            start--;
        }
        long length = contentEnd - start;
        byte[] bytes = length > maxLineBytes ? null : read(start, (int) length);
        Line line = new Line(start, length + (terminated ? 1 : 0), bytes, terminated);
        // The newline just before this line ends the one before it; at offset 0 there is none.
        contentEnd = start - 1;
        terminated = true;
        return line;
    }

    /** The 1-based numbers of the lines starting at these ascending offsets, for a person reading a warning. */
    long[] lineNumbers(long[] ascendingOffsets) throws IOException {
        long[] numbers = new long[ascendingOffsets.length];
        long newlines = 0;
        long position = 0;
        int next = 0;
        ByteBuffer buffer = ByteBuffer.allocate(WINDOW_BYTES);
        while (next < ascendingOffsets.length) {
            buffer.clear();
            int read = channel.read(buffer, position);
            if (read <= 0) {
                break;
            }
            for (int i = 0; i < read && next < ascendingOffsets.length; i++) {
                while (next < ascendingOffsets.length && ascendingOffsets[next] == position + i) {
                    numbers[next++] = newlines + 1;
                }
                if (buffer.get(i) == '\n') {
                    newlines++;
                }
            }
            position += read;
        }
        return numbers;
    }

    private byte byteAt(long position) throws IOException {
        if (position < windowStart || position >= windowEnd) {
            // Reading backwards: the window ends at the byte wanted and reaches as far back as it can.
            windowEnd = position + 1;
            windowStart = Math.max(0, windowEnd - WINDOW_BYTES);
            window.clear().limit((int) (windowEnd - windowStart));
            readFully(window, windowStart);
        }
        return window.get((int) (position - windowStart));
    }

    private byte[] read(long start, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        readFully(buffer, start);
        return buffer.array();
    }

    private void readFully(ByteBuffer buffer, long start) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, start + buffer.position()) < 0) {
                throw new EOFException("the file became shorter while it was read");
            }
        }
    }
}
