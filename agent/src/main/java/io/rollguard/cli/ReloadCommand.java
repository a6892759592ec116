package io.rollguard.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
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
 * The file is read here first, for the agent's address; a file with problems is reported here and the agent is not
 * asked, since it would refuse it with the same problems.
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
        Optional<Config> loaded = configOption.loadAsClientReporting(err);
        if (loaded.isEmpty()) {
            return ExitCode.USAGE;
        }
        LocalAgent agent = new LocalAgent(loaded.get());
        try {
            HttpResponse<String> response = agent.send("POST", "/-/reload");
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
        } catch (IOException e) {
            err.println("rollguard: " + e.getMessage());
            return ExitCode.FAILED;
        }
    }
}
