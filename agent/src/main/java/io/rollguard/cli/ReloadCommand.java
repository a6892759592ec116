package io.rollguard.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.HttpSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code rollguard reload}: asks the running agent to read its configuration file again ({@code POST /-/reload}).
 * The file is read here first, for the agent's address. A file with problems is still sent to the agent when its
 * {@code [http]} table reads, so that the agent records the failed reload (journal, metric) as for SIGHUP; the
 * problems printed are the agent's.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make the running agent read its configuration file again, as SIGHUP does.")
public final class ReloadCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption configOption;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LocalAgent agent;
        try {
            agent = new LocalAgent(configOption.loadAsClient());
        } catch (ConfigException problems) {
            // The agent is told all the same, so that its journal and rollguard_config_last_reload_successful record
            // the failed reload, as for SIGHUP; its answer lists the same problems. Found by [http] alone.
            Path chosen = configOption.chosen();
            Optional<HttpSettings> http = chosen == null ? Optional.empty() : ConfigLoader.httpOf(chosen);
            if (http.isEmpty()) {
                ConfigOption.print(problems, err);
                return ExitCode.USAGE;
            }
            agent = new LocalAgent(http.get());
            try {
                return answer(agent.send("POST", "/-/reload"), out, err);
            } catch (IOException e) {
                ConfigOption.print(problems, err);
                err.println("rollguard: and the agent was not told: " + e.getMessage());
                return ExitCode.USAGE;
            }
        }
        try {
            return answer(agent.send("POST", "/-/reload"), out, err);
        } catch (IOException e) {
            err.println("rollguard: " + e.getMessage());
            return ExitCode.FAILED;
        }
    }

    /** Prints the agent's answer to {@code POST /-/reload}; the exit code: 0 reloaded, 2 refused, 1 failed. */
    private static int answer(LocalAgent.Reply response, PrintWriter out, PrintWriter err) throws IOException {
        Map<String, Object> body = JSON.std.mapFrom(response.body());
        if (response.statusCode() == 200) {
            out.println("reloaded " + body.get("config") + ": " + body.get("summary"));
            for (Object key : (List<?>) body.get("restart_needed")) {
                err.println("rollguard: " + key + " changed: it needs a restart to take effect");
            }
            return ExitCode.OK;
        }
        err.println("rollguard: " + body.get("error"));
        Object problems = body.get("problems");
        if (problems instanceof List) {
            ((List<?>) problems).forEach(err::println);
        }
        return response.statusCode() == 400 ? ExitCode.USAGE : ExitCode.FAILED;
    }
}
