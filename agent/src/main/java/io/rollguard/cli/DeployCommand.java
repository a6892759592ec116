package io.rollguard.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rollguard deploy start|finish|status}: what a deploy script tells the local agent. */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Tell the local agent about a deployment: start one (re-arms rollbacks, opens a watch window), "
                + "finish it, or show the current and recent ones.",
        subcommands = {DeployCommand.Start.class, DeployCommand.Finish.class, DeployCommand.Status.class})
public final class DeployCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.USAGE;
    }

    // No standard help options: their --version would clash with the deployment's.
    @Command(name = "start",
            description = "Start a deployment of VERSION: re-arm latched rollbacks and open a watch window in which "
                    + "rules with scope = \"deploy\" evaluate.")
    static final class Start implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private ConfigOption configOption;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        private boolean help;

        @Option(names = "--version", required = true, paramLabel = "VERSION",
                description = "The version being deployed; actions see it as ROLLGUARD_DEPLOYMENT_VERSION.")
        private String version;

        @Option(names = "--watch", paramLabel = "DURATION",
                description = "How long to watch it, such as 30m (default: [deploy] watch).")
        private String watch;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("version", version);
            if (watch != null) {
                body.put("watch", watch);
            }
            return request(spec, configOption, "POST", "/api/v1/deployments", body, (answer, out) -> {
                Map<?, ?> deployment = (Map<?, ?>) answer.get("deployment");
                out.println("deployment " + deployment.get("id") + " of " + deployment.get("version")
                        + " started; watching for " + deployment.get("watch") + ", until "
                        + deployment.get("watch_ends_at"));
            });
        }
    }

    @Command(name = "finish", mixinStandardHelpOptions = true,
            description = "Finish the current deployment; a watch window still open closes.")
    static final class Finish implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private ConfigOption configOption;

        @Override
        public Integer call() throws InterruptedException {
            return request(spec, configOption, "POST", "/api/v1/deployments/current/finish", null, (answer, out) -> {
                Map<?, ?> deployment = (Map<?, ?>) answer.get("deployment");
                out.println("deployment " + deployment.get("id") + " of " + deployment.get("version") + " finished ("
                        + deployment.get("state") + ")");
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the current deployment and the recent ones.")
    static final class Status implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Mixin
        private ConfigOption configOption;

        @Override
        public Integer call() throws InterruptedException {
            return request(spec, configOption, "GET", "/api/v1/deployments", null, (answer, out) -> {
                Map<?, ?> current = (Map<?, ?>) answer.get("current");
                out.println(current == null ? "no deployment in progress" : "current: " + line(current));
                if (current != null) {
                    printBaselines(current, out);
                }
                List<?> recent = (List<?>) answer.get("recent");
                if (!recent.isEmpty()) {
                    out.println("recent:");
                    recent.forEach(deployment -> out.println("  " + line((Map<?, ?>) deployment)));
                }
            });
        }

        /** What {@code baseline(...)} compares with while this deployment is current. */
        private static void printBaselines(Map<?, ?> deployment, PrintWriter out) {
            Object baselines = deployment.get("baselines");
            if (baselines instanceof List<?> values) {
                for (Object entry : values) {
                    Map<?, ?> value = (Map<?, ?>) entry;
                    StringBuilder labels = new StringBuilder("{");
                    ((Map<?, ?>) value.get("labels")).forEach((name, text) -> labels.append(labels.length() > 1
                            ? "," : "").append(name).append("=\"").append(text).append('"'));
                    out.println("  baseline " + value.get("selector") + " " + labels.append('}') + " = "
                            + value.get("value") + " (" + value.get("samples") + " samples over "
                            + deployment.get("baseline_window") + ")");
                }
            }
            if (deployment.get("baselines_missing") instanceof List<?> missing) {
                missing.forEach(selector -> out.println("  baseline " + selector
                        + ": no history before the start, no data"));
            }
        }

        private static String line(Map<?, ?> deployment) {
            String line = deployment.get("id") + " " + deployment.get("version") + " " + deployment.get("state")
                    + " started " + deployment.get("started_at");
            return deployment.get("state").equals("watching") ? line + ", watching until "
                    + deployment.get("watch_ends_at") : line + ", ended " + deployment.get("ended_at")
                    + (String.valueOf(deployment.get("reason")).isEmpty() ? "" : ": " + deployment.get("reason"));
        }
    }

    /** What a successful answer prints. */
    @FunctionalInterface
    interface Printer {
        void print(Map<String, Object> answer, PrintWriter out);
    }

    /**
     * Sends one request to the local agent: 0 when it answers 200, 2 when it refuses what was asked (400, or 404 for
     * a name it does not know), 1 otherwise.
     */
    static int request(CommandSpec spec, ConfigOption configOption, String method, String path,
            Map<String, Object> body, Printer printer) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<Config> loaded = configOption.loadAsClientReporting(err);
        if (loaded.isEmpty()) {
            return ExitCode.USAGE;
        }
        LocalAgent agent = new LocalAgent(loaded.get());
        try {
            LocalAgent.Reply response = body == null ? agent.send(method, path)
                    : agent.post(path, JSON.std.asString(body));
            if (response.statusCode() == 400 || response.statusCode() == 404) {
                err.println("rollguard: " + error(response.body()));
                return ExitCode.USAGE;
            }
            if (response.statusCode() == 409) {
                err.println("rollguard: " + error(response.body()));
                return ExitCode.FAILED;
            }
            if (response.statusCode() != 200) {
                err.println("rollguard: " + agent.base() + " answered " + response.statusCode() + ": " + response.body());
                return ExitCode.FAILED;
            }
            printer.print(JSON.std.mapFrom(response.body()), out);
            return ExitCode.OK;
        } catch (IOException e) {
            err.println("rollguard: " + e.getMessage());
            return ExitCode.FAILED;
        }
    }

    private static String error(String body) {
        try {
            Object error = JSON.std.mapFrom(body).get("error");
            return error == null ? body : String.valueOf(error);
        } catch (IOException e) {
            return body;
        }
    }
}
