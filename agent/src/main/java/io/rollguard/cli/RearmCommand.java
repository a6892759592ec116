package io.rollguard.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rollguard rearm [RULE]}: lets a rule's rollback run again (every rule's without a name). */
@Command(name = "rearm", mixinStandardHelpOptions = true,
        description = "Re-arm a latched rollback so that it may run again; without RULE, every rule's.")
public final class RearmCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption configOption;

    @Parameters(arity = "0..1", paramLabel = "RULE", description = "The rule to re-arm.")
    private String rule;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<Config> loaded = configOption.loadAsClientReporting(err);
        if (loaded.isEmpty()) {
            return ExitCode.USAGE;
        }
        Config config = loaded.get();
        LocalAgent agent = new LocalAgent(config);
        try {
            LocalAgent.Reply response = agent.send("POST",
                    rule == null ? "/api/v1/rearm" : "/api/v1/rules/" + rule + "/rearm");
            if (response.statusCode() == 404) {
                err.println("rollguard: the agent has no rule named " + rule);
                return ExitCode.USAGE;
            }
            if (response.statusCode() != 200) {
                err.println("rollguard: " + agent.base() + " answered " + response.statusCode() + ": " + response.body());
                return ExitCode.FAILED;
            }
            Map<String, Object> body = JSON.std.mapFrom(response.body());
            @SuppressWarnings("unchecked")
            List<String> rearmed = (List<String>) body.get("rearmed");
            out.println(rearmed.isEmpty() ? "nothing was latched" : "re-armed " + String.join(", ", rearmed));
            if (body.get("still_firing") instanceof List<?> firing) {
                for (Object name : firing) {
                    out.println(name + " still fires: its rollback runs again only once it clears and fires anew");
                }
            }
            return ExitCode.OK;
        } catch (IOException e) {
            err.println("rollguard: " + e.getMessage());
            return ExitCode.FAILED;
        }
    }
}
