package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.config.MetricCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README documents what the agent really exports: a family added or renamed without the README fails here. */
class ReadmeTest {
    private static final Path README = Path.of("../README.md");
    private static final Pattern FAMILY = Pattern.compile("rollguard_[a-z0-9_]+");

    @Test
    void everyExportedFamilyIsDocumentedAndNoDocumentedFamilyIsMadeUp() throws IOException {
        Set<String> exported = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/golden/host-families.txt"))) {
            exported.add(line.split(" ")[1]);
        }
        // What rules may read: every family a producer declares (MetricCatalogueTest keeps it so), and the
        // agent's own Micrometer timers, which are not series of the store.
        exported.addAll(MetricCatalogue.all());
        exported.addAll(List.of("rollguard_tick_seconds", "rollguard_action_seconds"));
        String readme = Files.readString(README);
        Set<String> documented = new TreeSet<>();
        Matcher matcher = FAMILY.matcher(readme.substring(readme.indexOf("## Metrics"), readme.indexOf("## Logs")));
        while (matcher.find()) {
            documented.add(matcher.group());
        }

        assertThat(documented).containsAll(exported);
        assertThat(exported).containsAll(documented);
    }

    /**
     * The headings outside code blocks, in order, each with its anchor as GitHub makes it: lower case, punctuation
     * but - and _ dropped, spaces as -, and -1, -2, ... for a repeat ({@code [http]} is #http, HTTP then #http-1).
     */
    private static java.util.LinkedHashMap<String, String> headings(String readme) {
        java.util.LinkedHashMap<String, String> headings = new java.util.LinkedHashMap<>();
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        boolean code = false;
        for (String line : readme.lines().toList()) {
            if (line.startsWith("```")) {
                code = !code;
            } else if (!code && line.startsWith("#")) {
                String anchor = line.replaceFirst("^#+ ", "").toLowerCase(java.util.Locale.ROOT)
                        .replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
                int repeat = seen.merge(anchor, 1, Integer::sum) - 1;
                headings.put(line, repeat == 0 ? anchor : anchor + "-" + repeat);
            }
        }
        return headings;
    }

    /** The contents list every section and subsection, in order, each linked to its heading. */
    @Test
    void theContentsListEverySectionInOrder() throws IOException {
        String readme = Files.readString(README);
        List<String> expected = new java.util.ArrayList<>();
        headings(readme).forEach((line, anchor) -> {
            if (line.startsWith("## ") && !line.equals("## Contents")) {
                expected.add("- [" + line.substring(3) + "](#" + anchor + ")");
            } else if (line.startsWith("### ")) {
                expected.add("  - [" + line.substring(4) + "](#" + anchor + ")");
            }
        });
        String contents = readme.substring(readme.indexOf("## Contents\n\n") + "## Contents\n\n".length());
        contents = contents.substring(0, contents.indexOf("\n\n"));

        assertThat(contents.lines().toList()).isEqualTo(expected);
    }

    /** Every link works in a clone: a file or folder of the repository, or a heading of this page. */
    @Test
    void noLinkIsDeadInAClone() throws IOException {
        String readme = Files.readString(README);
        Set<String> anchors = new TreeSet<>(headings(readme).values());
        Matcher link = Pattern.compile("\\]\\(([^)\\s]+)\\)").matcher(readme);
        List<String> dead = new java.util.ArrayList<>();
        while (link.find()) {
            String target = link.group(1);
            if (target.startsWith("http://") || target.startsWith("https://")) {
                continue;
            }
            String path = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
            String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
            if (!path.isEmpty() && !Files.exists(README.resolveSibling(path))) {
                dead.add(target);
            } else if (path.isEmpty() && anchor != null && !anchors.contains(anchor)) {
                dead.add(target);
            }
        }
        assertThat(dead).as("links to nothing").isEmpty();
        assertThat(readme).as("nothing outside the repository").doesNotContain("../shared");
    }
}
