package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.rollguard.config.check.HttpCheckSpec;
import io.rollguard.config.process.ProcessSettings;
import io.rollguard.rule.expr.Expr;
import io.rollguard.rule.expr.HistoryWindows;
import io.rollguard.rule.expr.LabelMatcher;
import io.rollguard.rule.expr.Selector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example configurations under {@code config/} (one per seed checklist) stay loadable as the configuration
 * language evolves, and their rules name series, checks, processes and fields that exist: {@code validate}
 * cannot catch a misspelt series or check name in a {@code when}, which would leave a rule unknown for ever.
 */
class ExampleConfigsTest {
    /** Maven runs the tests in the agent module; the examples live at the repository root. */
    private static final Path EXAMPLES = Path.of("../config");
    /** The series names rules may use are the families listed in the README's "## Metrics" section. */
    private static final Path README = Path.of("../README.md");
    private static final int SEEDS = 5;
    private static final String PREFIX = "rollguard_";

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".toml")).sorted()
                    .collect(Collectors.toList()).stream();
        }
    }

    @Test
    void thereIsAnExampleForEverySeedChecklist() throws IOException {
        assertThat(examples().map(f -> f.getFileName().toString()))
                .as("*.toml files in %s", EXAMPLES.toAbsolutePath().normalize())
                .hasSizeGreaterThanOrEqualTo(SEEDS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void loadsWithoutProblems(Path file) {
        load(file);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void hasChecksAndRules(Path file) {
        Config config = load(file);

        assertThat(config.checks()).as("[[check]] tables in %s", file).isNotEmpty();
        assertThat(config.rules()).as("[[rule]] tables in %s", file).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void rulesReadSeriesChecksProcessesAndFieldsThatExist(Path file) throws IOException {
        Config config = load(file);
        Set<String> families = documentedFamilies();
        // A prometheus source's series is named by the source: it exists as surely as the agent's own.
        Set<String> queried = config.sources().stream().filter(source -> source.type().equals("prometheus"))
                .map(SourceConfig::name).collect(Collectors.toSet());
        Map<String, CheckConfig> checks = config.checks().stream()
                .collect(Collectors.toMap(CheckConfig::name, c -> c));
        Set<String> processes = config.processes().stream().map(ProcessSettings::name)
                .collect(Collectors.toCollection(TreeSet::new));
        List<String> problems = new ArrayList<>();

        for (RuleConfig rule : config.rules()) {
            if (rule.fromAlertmanager()) {
                continue; // no condition: Alertmanager's alerts drive it
            }
            for (Selector selector : selectors(rule.condition())) {
                String where = "rule " + rule.name() + ", " + selector.name() + ": ";
                String family = selector.name().startsWith(PREFIX) ? selector.name() : PREFIX + selector.name();
                if (!families.contains(family) && !queried.contains(selector.name())) {
                    problems.add(where + "no such series in the README's Metrics section");
                }
                for (LabelMatcher matcher : selector.matchers()) {
                    if (matcher.label().equals("check")) {
                        names(matcher, checks.keySet(), "[[check]]", where, problems);
                    } else if (matcher.label().equals("process")) {
                        names(matcher, processes, "[[process]]", where, problems);
                    }
                }
                fields(selector, checks, where, problems);
            }
        }
        assertThat(problems).as("rules of %s", file).isEmpty();
    }

    private static Config load(Path file) {
        try {
            return ConfigLoader.load(file);
        } catch (ConfigException e) {
            return fail("%s has problems:%n%s", file, e.problems().stream().map(ConfigProblem::toString)
                    .collect(Collectors.joining(System.lineSeparator())));
        }
    }

    /** A label matcher on {@code check} or {@code process} must select something the file defines. */
    private static void names(LabelMatcher matcher, Set<String> defined, String what, String where,
            List<String> problems) {
        switch (matcher.op()) {
            case EQUAL -> {
                if (!defined.contains(matcher.value())) {
                    problems.add(where + "no " + what + " named \"" + matcher.value() + "\"");
                }
            }
            case MATCHES -> {
                // Each alternative of a plain "a|b|c" must exist; any other pattern must match at least one name.
                if (matcher.value().matches("[A-Za-z0-9_-]+(\\|[A-Za-z0-9_-]+)*")) {
                    for (String name : matcher.value().split("\\|")) {
                        if (!defined.contains(name)) {
                            problems.add(where + "no " + what + " named \"" + name + "\" (in =~\"" + matcher.value()
                                    + "\")");
                        }
                    }
                } else if (defined.stream().noneMatch(name -> matcher.pattern().matcher(name).matches())) {
                    problems.add(where + "=~\"" + matcher.value() + "\" matches no " + what);
                }
            }
            default -> { }
        }
    }

    /** {@code check_field{check="x",field="y"}}: check x is an http check that extracts y. */
    private static void fields(Selector selector, Map<String, CheckConfig> checks, String where,
            List<String> problems) {
        String check = equalityValue(selector, "check");
        String field = equalityValue(selector, "field");
        if (!selector.name().endsWith("check_field") || check == null || !checks.containsKey(check)) {
            return;
        }
        if (field == null) {
            problems.add(where + "check_field needs field=\"...\"");
        } else if (!(checks.get(check).spec() instanceof HttpCheckSpec)
                || !((HttpCheckSpec) checks.get(check).spec()).extract().containsKey(field)) {
            problems.add(where + "check \"" + check + "\" extracts no field \"" + field + "\"");
        }
    }

    private static String equalityValue(Selector selector, String label) {
        return selector.matchers().stream()
                .filter(m -> m.label().equals(label) && m.op() == LabelMatcher.Op.EQUAL)
                .map(LabelMatcher::value).findFirst().orElse(null);
    }

    private static Set<String> documentedFamilies() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int start = readme.indexOf("\n## Metrics\n");
        assertThat(start).as("a \"## Metrics\" section in %s", README).isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Set<String> families = new TreeSet<>();
        Matcher name = Pattern.compile(PREFIX + "[a-z0-9_]+").matcher(section);
        while (name.find()) {
            families.add(name.group());
        }
        return families;
    }

    private static List<Selector> selectors(Expr expr) {
        return HistoryWindows.selectors(expr);
    }
}
