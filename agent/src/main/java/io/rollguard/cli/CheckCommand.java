package io.rollguard.cli;

import io.rollguard.check.CheckFactory;
import io.rollguard.check.CheckRunner;
import io.rollguard.config.CheckConfig;
import io.rollguard.config.Config;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import oshi.SystemInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rollguard check}: the checklist, once, as a go/no-go gate for a deploy script. Runs the selected checks
 * concurrently, each bounded by its timeout, prints one line per check, and exits 0 only if all passed.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Run the configured checks once and print a checklist; exit 0 if all pass, 1 if any fails.")
public final class CheckCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption configOption;

    @Option(names = "--tag", paramLabel = "TAG", description = "Only checks with this tag (repeatable: any of them).")
    private List<String> tags = new ArrayList<>();

    @Option(names = "--only", paramLabel = "NAME", description = "Only the check with this name (repeatable).")
    private List<String> names = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, json or junit (default: ${DEFAULT-VALUE}).")
    private ChecklistFormat format;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<Config> loaded = configOption.loadReporting(err);
        if (loaded.isEmpty()) {
            return ExitCode.USAGE;
        }
        Config config = loaded.get();
        Set<String> unknown = new LinkedHashSet<>(names);
        config.checks().forEach(c -> unknown.remove(c.name()));
        if (!unknown.isEmpty()) {
            err.println("rollguard: no check named " + String.join(", ", unknown) + " in " + config.source());
            return ExitCode.USAGE;
        }
        List<CheckConfig> selected = config.checks().stream()
                .filter(c -> names.isEmpty() || names.contains(c.name()))
                .filter(c -> tags.isEmpty() || c.tags().stream().anyMatch(tags::contains))
                .toList();
        if (selected.isEmpty()) {
            err.println("rollguard: no checks selected in " + config.source()
                    + (tags.isEmpty() ? "" : " with tag " + String.join(" or ", tags)));
            return ExitCode.USAGE;
        }
        List<CheckRunner.Outcome> outcomes;
        try (CheckRunner runner = CheckRunner.forChecklist(selected,
                CheckFactory.forHost(new SystemInfo()).forSingleRun()::create)) {
            outcomes = runner.runAllOnce().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a check run failed outside its own isolation", e.getCause());
        }
        out.print(format.render(outcomes, colour(System.console() != null, System.getenv("NO_COLOR"))));
        out.flush();
        return outcomes.stream().allMatch(o -> o.result().ok()) ? ExitCode.OK : ExitCode.FAILED;
    }

    /** Colours only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org). */
    static boolean colour(boolean terminal, String noColor) {
        return terminal && (noColor == null || noColor.isEmpty());
    }
}
