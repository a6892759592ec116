package io.rollguard.action;

import io.rollguard.common.ControlCharacters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;

/**
 * A program's merged output as it arrives: each line goes to the log, prefixed with the action's name and its
 * control characters escaped ({@link ControlCharacters}), and the
 * last {@link #TAIL_BYTES} are kept for the outcome. Memory stays bounded whatever the program prints: the tail, one
 * line of at most {@link #MAX_LINE_BYTES} and one read buffer. After {@link #MAX_LOGGED_LINES} lines the log says
 * so once and only the tail goes on.
 */
final class ProgramOutput {
    static final int TAIL_BYTES = 64 * 1024;
    static final int MAX_LINE_BYTES = 4096;
    static final int MAX_LOGGED_LINES = 1000;
    private static final int READ_BYTES = 8192;

    private final String action;
    private final Logger log;
    private final byte[] tail = new byte[TAIL_BYTES];
    private long total;
    private final byte[] line = new byte[MAX_LINE_BYTES];
    private int lineLength;
    private boolean lineCut;
    private int lines;
    private boolean abandoned;

    ProgramOutput(String action, Logger log) {
        this.action = action;
        this.log = log;
    }

    /** Reads until the end of the stream: until every process that holds the pipe has closed it or died. */
    void pump(InputStream in) {
        byte[] buffer = new byte[READ_BYTES];
        try (in) {
            int count;
            while ((count = in.read(buffer)) >= 0) {
                accept(buffer, count);
            }
        } catch (IOException e) {
            // The stream was closed under us: the process is gone, and what it wrote before is already here.
        }
        finish();
    }

    synchronized void accept(byte[] bytes, int count) {
        if (abandoned) {
            return; // read and dropped, so that a background process holding the pipe never blocks on it
        }
        for (int i = 0; i < count; i++) {
            byte b = bytes[i];
            tail[(int) (total % TAIL_BYTES)] = b;
            total++;
            if (b == '\n') {
                endLine();
            } else if (lineLength < MAX_LINE_BYTES) {
                line[lineLength++] = b;
            } else {
                lineCut = true;
            }
        }
    }

    private synchronized void finish() {
        if (!abandoned && (lineLength > 0 || lineCut)) {
            endLine();
        }
    }

    /**
     * Stops logging and keeping output: the program has exited, but a process it left in the background still holds
     * the pipe. Later output is read and dropped.
     */
    synchronized void abandon() {
        abandoned = true;
    }

    /** How many bytes the program wrote, the dropped ones included. */
    synchronized long total() {
        return total;
    }

    /** The last {@link #TAIL_BYTES} bytes as text, starting at a whole character. */
    synchronized String tail() {
        int length = (int) Math.min(total, TAIL_BYTES);
        byte[] bytes = new byte[length];
        int start = (int) ((total - length) % TAIL_BYTES);
        int first = Math.min(length, TAIL_BYTES - start);
        System.arraycopy(tail, start, bytes, 0, first);
        System.arraycopy(tail, 0, bytes, first, length - first);
        int skip = 0;
        // A cut through a multi-byte character leaves continuation bytes (10xxxxxx) at the start.
        while (total > TAIL_BYTES && skip < Math.min(length, 3) && (bytes[skip] & 0xC0) == 0x80) {
            skip++;
        }
        return new String(bytes, skip, length - skip, StandardCharsets.UTF_8);
    }

    /** The last line of the tail that has something on it, shortened for a one-line message; empty if none. */
    String lastLine() {
        String[] all = tail().strip().split("\n");
        String last = all[all.length - 1].strip();
        return ControlCharacters.escape(last.length() > 200 ? last.substring(0, 200) + "..." : last);
    }

    private void endLine() {
        int length = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        lines++;
        if (lines <= MAX_LOGGED_LINES) {
            String text = ControlCharacters.escape(new String(line, 0, length, StandardCharsets.UTF_8));
            boolean cut = lineCut;
            if (text.length() > MAX_LINE_BYTES) { // escapes of control characters: up to six characters per byte
                text = text.substring(0, MAX_LINE_BYTES);
                cut = true;
            }
            log.info("{}: | {}{}", action, text, cut ? " [line cut at " + MAX_LINE_BYTES + " bytes]" : "");
        } else if (lines == MAX_LOGGED_LINES + 1) {
            log.info("{}: output truncated: no more lines logged after {}; its last {} KiB stay in the outcome", action,
                    MAX_LOGGED_LINES, TAIL_BYTES / 1024);
        }
        lineLength = 0;
        lineCut = false;
    }
}
