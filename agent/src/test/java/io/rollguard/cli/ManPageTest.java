package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
            ManPageFiles.write(SHIPPED, page);
        }

        String shipped = ManPageFiles.read(SHIPPED);
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
        assertThat(ManPageFiles.groffWarnings(page)).as("groff's warnings").isEmpty();
    }
}
