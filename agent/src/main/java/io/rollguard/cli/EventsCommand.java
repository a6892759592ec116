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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rollguard events}: what the local agent journaled, one line per event; {@code --follow} keeps reading. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Print the local agent's journal: rule transitions, actions and their results.")
public final class EventsCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption configOption;

    @Option(names = "--since", paramLabel = "ID",
            description = "Only events after this id, oldest first (default: the newest --limit events).")
    private Long since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "At most this many (1-1000): the newest ones, or the first ones after --since.")
    private int limit;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events as they happen.")
    private boolean follow;

    @Option(names = "--json", description = "One JSON object per line, as journaled.")
    private boolean json;

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
        Long after = since;
        try {
            do {
                // Without --since, the newest events first, as tail shows a file; then on from the last one printed.
                LocalAgent.Reply response = agent.send("GET", after == null ? "/api/v1/events?last=" + limit
                        : "/api/v1/events?since=" + after + "&limit=" + limit);
                if (response.statusCode() != 200) {
                    err.println("rollguard: " + agent.base() + " answered " + response.statusCode() + ": " + response.body());
                    return ExitCode.FAILED;
                }
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> events = (List<Map<String, Object>>) JSON.std.mapFrom(response.body()).get("events");
                for (Map<String, Object> event : events) {
                    out.println(json ? JSON.std.asString(event) : line(event));
                    after = ((Number) event.get("id")).longValue();
                }
                out.flush();
                if (after == null) {
                    after = 0L; // nothing journaled yet: follow from the first event
                }
                if (follow && events.isEmpty()) {
                    Thread.sleep(1000); // polling: the API has no push, and a second is quick enough for a person
                }
            } while (follow);
        } catch (IOException e) {
            err.println("rollguard: " + e.getMessage());
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }

    /** {@code 12 2026-11-22T03:04:05.123Z rule_firing api-down: held 2s of for=2s}. */
    static String line(Map<String, Object> event) {
        StringBuilder line = new StringBuilder().append(event.get("id")).append(' ').append(event.get("time")).append(' ')
                .append(event.get("kind"));
        for (String key : List.of("rule", "rules", "how", "until", "action", "result", "version", "deployment_id",
                "incident")) {
            Object value = event.get(key);
            if (value instanceof List<?> list) {
                value = list.isEmpty() ? null : String.join(",", list.stream().map(String::valueOf).toList());
            }
            if (value != null && !String.valueOf(value).isEmpty()) {
                line.append(' ').append(key).append('=').append(value);
            }
            if (key.equals("rule") && event.get("labels") instanceof Map<?, ?> labels && !labels.isEmpty()) {
                line.append(labels.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                        .collect(java.util.stream.Collectors.joining(",", "{", "}")));
            }
        }
        for (String key : List.of("reason", "message", "summary", "comment")) {
            if (event.get(key) != null && !String.valueOf(event.get(key)).isEmpty()) {
                line.append(": ").append(event.get(key));
            }
        }
        return line.toString();
    }
}
