package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rollguard.toml(5)} is the README's "Configuration" section, as troff: the shipped
 * {@code packaging/rollguard.toml.5.gz} is this test's conversion of the README as it is, so that the page cannot
 * drift from the reference. Regenerate it with
 * {@code mvn -pl agent test -Dtest=ConfigurationManPageTest -Drollguard.update-goldens=true}. groff, where it is
 * installed, formats it without a warning.
 */
class ConfigurationManPageTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path SHIPPED = Path.of("..", "packaging", "rollguard.toml.5.gz");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)\\]\\([^)]+\\)");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @TempDir
    Path dir;

    /** The section from "## Configuration" to the next "## " heading, converted. */
    static String render(String readme) {
        int start = readme.indexOf("\n## Configuration\n");
        int end = readme.indexOf("\n## ", start + 1);
        List<String> lines = readme.substring(start + 1, end).lines().toList();
        StringBuilder page = new StringBuilder(".TH ROLLGUARD.TOML 5 \"\" \"rollguard\" \"File Formats\"\n")
                .append(".SH NAME\nrollguard.toml \\- the configuration of rollguard, the deployment watchdog\n")
                .append(".SH SYNOPSIS\n/etc/rollguard/rollguard.toml\n.SH DESCRIPTION\n");
        boolean code = false;
        List<String> header = null;
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                page.append(code ? ".fi\n.RE\n" : ".PP\n.RS\n.nf\n");
                code = !code;
            } else if (code) {
                page.append(escape(line)).append('\n');
            } else if (line.startsWith("### ")) {
                page.append(".SH ").append(inline(line.substring(4)).replace("\\fB", "").replace("\\fR", ""))
                        .append('\n');
                header = null;
            } else if (line.startsWith("|")) {
                List<String> cells = cells(line);
                if (header == null) {
                    header = cells;
                } else if (!cells.get(0).startsWith("---")) {
                    // A row: its first cell the tag, the others "header: cell" beneath it.
                    page.append(".TP\n").append(inline(cells.get(0))).append('\n');
                    List<String> rest = new ArrayList<>();
                    for (int c = 1; c < cells.size(); c++) {
                        rest.add((c < header.size() ? header.get(c) + ": " : "") + cells.get(c));
                    }
                    page.append(inline(String.join("; ", rest))).append('\n');
                }
            } else if (line.isBlank()) {
                header = null;
                page.append(".PP\n");
            } else if (line.startsWith("- ") || line.startsWith("  ")) {
                page.append(line.startsWith("- ") ? ".IP \\(bu 2\n" + inline(line.substring(2)) : inline(line.strip()))
                        .append('\n');
            } else {
                page.append(inline(line)).append('\n');
            }
        }
        page.append(".SH SEE ALSO\n.BR rollguard (1)\n");
        return page.toString().replaceAll("(\\.PP\\n)+", ".PP\n").replace(".PP\n.SH", ".SH")
                .replace(".PP\n.TP", ".TP").replace(".PP\n.IP", ".IP");
    }

    private static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        for (String cell : row.strip().replaceAll("^\\||\\|$", "").split("(?<!\\\\)\\|")) {
            cells.add(cell.strip().replace("\\|", "|"));
        }
        return cells;
    }

    /** Links as their text, code in bold, troff's special characters escaped. */
    private static String inline(String text) {
        String plain = LINK.matcher(text).replaceAll("$1").replace("**", "");
        StringBuilder out = new StringBuilder();
        Matcher code = CODE.matcher(plain);
        int at = 0;
        while (code.find()) {
            out.append(escape(plain.substring(at, code.start()))).append("\\fB").append(escape(code.group(1)))
                    .append("\\fR");
            at = code.end();
        }
        return out.append(escape(plain.substring(at))).toString();
    }

    private static String escape(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }

    @Test
    void theShippedPageIsTheReadmesConfigurationSection() throws Exception {
        String page = render(Files.readString(README));
        if (Boolean.getBoolean("rollguard.update-goldens")) {
            ManPageFiles.write(SHIPPED, page);
        }

        String shipped = ManPageFiles.read(SHIPPED);
        assertThat(shipped).as("%s, regenerated as the class says", SHIPPED).isEqualTo(page);
        assertThat(page).contains(".SH [agent]\n", ".SH [[rule]]\n", ".TP\n\\fBinterval\\fR\n");
    }

    @Test
    void groffFormatsItWithoutAWarning() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/groff")), "groff is not installed: skipped");
        Path page = Files.writeString(dir.resolve("rollguard.toml.5"), render(Files.readString(README)));
        assertThat(ManPageFiles.groffWarnings(page)).as("groff's warnings").isEmpty();
    }
}
