package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The shipped manual page ({@code packaging/rollguard.1.gz}, installed as {@code /usr/share/man/man1/rollguard.1.gz})
 * is {@link ManPage}'s for the command line as it is: a new command or option fails this test until the file is
 * regenerated with {@code mvn -pl agent test -Dtest=ManPageTest -Drollguard.update-goldens=true}. groff, where it is
 * installed, formats it without a warning.
 */
class ManPageTest {
    private static final Path SHIPPED = Path.of("..", "packaging", "rollguard.1.gz");

    @TempDir
    Path dir;

    @Test
    void theShippedPageIsTheCommandLines() throws Exception {
        String page = ManPage.render(new CommandLine(new Main()));
        if (Boolean.getBoolean("rollguard.update-goldens")) {
            // gzip -9n, as Debian wants a manual page: best compression, no name, no time stamp. Java's header says
            // neither the level nor the system (XFL 0, OS 0), and lintian reads the level there: set them as gzip
            // does (XFL 2: maximum compression; OS 3: Unix). The header is outside the CRC.
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
            Files.write(SHIPPED, gzip);
        }

        String shipped;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(SHIPPED))) {
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(shipped).as("%s, regenerated as the class says", SHIPPED).isEqualTo(page);
        byte[] header = Files.readAllBytes(SHIPPED);
        assertThat(new byte[] {header[8], header[9]}).as("gzip -9 on Unix, as lintian wants").containsExactly(2, 3);
        assertThat(page).startsWith(".TH ROLLGUARD 1 ").contains(".SS rollguard deploy start\n",
                ".SS rollguard silence\n", ".SS rollguard status\n", "\\-\\-config", ".SH EXIT STATUS");
    }

    @Test
    void groffFormatsItWithoutAWarning() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/groff")), "groff is not installed: skipped");
        Path page = Files.writeString(dir.resolve("rollguard.1"), ManPage.render(new CommandLine(new Main())));
        Process groff = new ProcessBuilder("groff", "-man", "-Tutf8", "-ww", "-z", page.toString())
                .redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        groff.getInputStream().transferTo(output);

        assertThat(groff.waitFor()).isZero();
        assertThat(output.toString(StandardCharsets.UTF_8)).as("groff's warnings").isEmpty();
    }
}
