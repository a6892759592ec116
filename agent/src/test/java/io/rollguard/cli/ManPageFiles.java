package io.rollguard.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** The shipped manual pages' files: written as {@code gzip -9n} writes them, read back, checked by groff. */
final class ManPageFiles {
    private ManPageFiles() {}

    /**
     * Best compression, no name, no time stamp, as Debian wants a manual page. Java's header says neither the level
     * nor the system (XFL 0, OS 0), and lintian reads the level there: they are set as gzip sets them (XFL 2:
     * maximum compression; OS 3: Unix). The header is outside the CRC.
     */
    static void write(Path file, String page) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            out.write(page.getBytes(StandardCharsets.UTF_8));
        }
        byte[] gzip = bytes.toByteArray();
        gzip[8] = 2;
        gzip[9] = 3;
        Files.write(file, gzip);
    }

    static String read(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** What {@code groff -man -ww} says formatting {@code page}: empty for a page without a problem. */
    static String groffWarnings(Path page) throws IOException, InterruptedException {
        Process groff = new ProcessBuilder("groff", "-man", "-Tutf8", "-ww", "-z", page.toString())
                .redirectErrorStream(true).start();
        String output = new String(groff.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return groff.waitFor() == 0 ? output : "groff exited " + groff.exitValue() + ": " + output;
    }
}
