package io.rollguard.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.rollguard.action.ActionOutcome.Result;
import io.rollguard.config.action.ActionConfig;
import io.rollguard.config.action.ExecActionConfig;
import io.rollguard.config.action.WebhookActionConfig;
import io.rollguard.time.SystemTimer;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ActionRunnerTest {
    @TempDir
    Path dir;

    private final List<ActionRunner> runners = new ArrayList<>();
    private final SystemTimer timer = new SystemTimer("test-action-timer");

    @AfterEach
    void closeRunners() {
        runners.forEach(ActionRunner::close);
        timer.close();
    }

    /** An action whose runs end when the test says so, and which remembers where and for what it ran. */
    private static final class HeldAction implements Action {
        final List<ActionRequest> requests = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<ActionOutcome>> runs = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<ActionOutcome> run(ActionRequest request) {
            requests.add(request);
            threads.add(Thread.currentThread().getName());
            CompletableFuture<ActionOutcome> run = new CompletableFuture<>();
            runs.add(run);
            return run;
        }

        void end(int run, String message) {
            runs.get(run).complete(new ActionOutcome(Result.OK, 0, Duration.ofMillis(5), "", message));
        }

        /** Which requests ran, by their event's "n". */
        List<Object> ran() {
            return requests.stream().map(request -> request.event().get("n")).toList();
        }
    }

    private ActionRunner runner(Map<String, Action> actions) {
        ActionRunner runner = new ActionRunner(actions, TimeSource.system(), timer);
        runners.add(runner);
        return runner;
    }

    private ActionRunner runner(Map<String, ActionConfig> configs, boolean agentDryRun) {
        ActionRunner runner = new ActionRunner(configs, agentDryRun, TimeSource.system(), timer);
        runners.add(runner);
        return runner;
    }

    private static ActionRequest request(String action, int n) {
        return new ActionRequest(action, Map.of("ROLLGUARD_RULE", "rule-" + n), Map.of("n", n));
    }

    private static ActionOutcome outcome(CompletableFuture<ActionOutcome> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private Path script(String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    @Test
    void runsOnAnActionWorkerNeverOnTheCallersThread() throws Exception {
        HeldAction action = new HeldAction();
        ActionRunner runner = runner(Map.of("restart", action));

        CompletableFuture<ActionOutcome> outcome = runner.run(request("restart", 1));

        await().atMost(Duration.ofSeconds(10)).until(() -> action.requests.size() == 1);
        assertThat(action.threads.get(0)).startsWith("rollguard-action-").isNotEqualTo(Thread.currentThread().getName());
        assertThat(outcome).isNotDone();
        action.end(0, "exit 0");
        assertThat(outcome(outcome).message()).isEqualTo("exit 0");
    }

    @Test
    void aRequestWhileTheActionRunsWaitsForItAndRunsAfterIt() throws Exception {
        HeldAction action = new HeldAction();
        ActionRunner runner = runner(Map.of("notify", action));

        CompletableFuture<ActionOutcome> first = runner.run(request("notify", 1));
        CompletableFuture<ActionOutcome> second = runner.run(request("notify", 2));
        CompletableFuture<ActionOutcome> third = runner.run(request("notify", 3));

        await().atMost(Duration.ofSeconds(10)).until(() -> action.requests.size() == 1);
        assertThat(second).isNotDone();
        action.end(0, "first");
        await().atMost(Duration.ofSeconds(10)).until(() -> action.requests.size() == 2);
        assertThat(outcome(first).message()).isEqualTo("first");
        assertThat(third).isNotDone();
        action.end(1, "second");
        await().atMost(Duration.ofSeconds(10)).until(() -> action.requests.size() == 3);
        action.end(2, "third");

        assertThat(outcome(second).message()).isEqualTo("second");
        assertThat(outcome(third).message()).isEqualTo("third");
        assertThat(action.ran()).containsExactly(1, 2, 3);
    }

    @Test
    void whenSixteenRequestsWaitTheNextIsSkippedAsBusy() throws Exception {
        HeldAction action = new HeldAction();
        ActionRunner runner = runner(Map.of("notify", action));
        List<CompletableFuture<ActionOutcome>> accepted = new ArrayList<>();
        for (int n = 0; n <= ActionRunner.MAX_WAITING; n++) {
            accepted.add(runner.run(request("notify", n)));
        }

        ActionOutcome skipped = outcome(runner.run(request("notify", 99)));

        assertThat(skipped).isEqualTo(new ActionOutcome(Result.SKIPPED_BUSY, null, Duration.ZERO, "",
                "not run: notify is running and 16 more runs are waiting"));
        for (int n = 0; n <= ActionRunner.MAX_WAITING; n++) {
            int run = n;
            await().atMost(Duration.ofSeconds(10)).until(() -> action.runs.size() > run);
            action.end(run, "run " + run);
        }
        assertThat(outcome(accepted.get(ActionRunner.MAX_WAITING)).message()).isEqualTo("run 16");
        assertThat(action.ran()).hasSize(17).doesNotContain(99);
    }

    @Test
    void differentActionsRunAtTheSameTime() {
        HeldAction restart = new HeldAction();
        HeldAction notify = new HeldAction();
        Map<String, Action> actions = new LinkedHashMap<>();
        actions.put("restart", restart);
        actions.put("notify", notify);
        ActionRunner runner = runner(actions);

        runner.run(request("restart", 1));
        runner.run(request("notify", 2));

        await().atMost(Duration.ofSeconds(10)).until(() -> restart.requests.size() == 1 && notify.requests.size() == 1);
    }

    @Test
    void anActionThatThrowsIsAFailedRunAndTheNextRequestStillRuns() throws Exception {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        Action buggy = request -> {
            ran.add((Integer) request.event().get("n"));
            throw new IllegalStateException("boom");
        };
        ActionRunner runner = runner(Map.of("buggy", buggy));

        ActionOutcome first = outcome(runner.run(request("buggy", 1)));
        ActionOutcome second = outcome(runner.run(request("buggy", 2)));

        assertThat(first.result()).isEqualTo(Result.FAILED);
        assertThat(first.message()).isEqualTo("could not run: IllegalStateException: boom");
        assertThat(second.result()).isEqualTo(Result.FAILED);
        assertThat(ran).containsExactly(1, 2);
    }

    @Test
    void anUnknownActionIsTheCallersMistake() {
        ActionRunner runner = runner(Map.of("restart", new HeldAction()));

        assertThatThrownBy(() -> runner.run(request("rollbak", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no action named \"rollbak\"; known: [restart]");
    }

    @Test
    void closeEndsWaitingRequestsUnrunAndTheRunningOneStopped() throws Exception {
        HeldAction action = new HeldAction();
        ActionRunner runner = runner(Map.of("notify", action));
        CompletableFuture<ActionOutcome> running = runner.run(request("notify", 1));
        CompletableFuture<ActionOutcome> waiting = runner.run(request("notify", 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> action.requests.size() == 1);

        runner.close();

        assertThat(outcome(waiting)).isEqualTo(new ActionOutcome(Result.FAILED, null, Duration.ZERO, "",
                "not run: the agent is stopping"));
        assertThat(outcome(running).message()).isEqualTo("stopped: the agent is stopping");
        assertThat(outcome(runner.run(request("notify", 3))).message()).isEqualTo("not run: the agent is stopping");
        assertThat(action.ran()).containsExactly(1);
    }

    @Test
    void closeStopsARunningProgramAndWhatItStarted() throws Exception {
        Path script = script("long.sh", "sleep 300 & echo $! > " + dir.resolve("child.pid") + "; echo $$ > "
                + dir.resolve("parent.pid") + "; wait");
        ActionRunner runner = runner(Map.of("rollback", ExecActionConfig.of("rollback", List.of(script.toString()))),
                false);
        CompletableFuture<ActionOutcome> running = runner.run(request("rollback", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("parent.pid"))
                && Files.size(dir.resolve("parent.pid")) > 0);
        long parent = Long.parseLong(Files.readString(dir.resolve("parent.pid")).strip());
        long child = Long.parseLong(Files.readString(dir.resolve("child.pid")).strip());

        runner.close();

        ActionOutcome outcome = outcome(running);
        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.message()).matches("stopped after .*: the agent is stopping");
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(parent) && !alive(child));
    }

    @ParameterizedTest(name = "[agent] dry_run = {0}, action dry_run = {1}: dry run {2}")
    @CsvSource({"true, false, true", "false, true, true", "false, false, false"})
    void eitherDryRunMeansNothingRuns(boolean agentDryRun, boolean actionDryRun, boolean dryRun) throws Exception {
        Path script = script("touch.sh", "touch " + dir.resolve("ran"));
        Map<String, ActionConfig> configs = new LinkedHashMap<>();
        configs.put("restart", new ExecActionConfig("restart", List.of(script.toString()), Duration.ofMinutes(1), dir,
                Map.of(), actionDryRun, false, 3, List.of(), Duration.ofMinutes(2), null));
        configs.put("page", new WebhookActionConfig("page", URI.create("http://127.0.0.1:9/hook"),
                Duration.ofSeconds(1), Map.of(), 0, null, actionDryRun));
        ActionRunner runner = runner(configs, agentDryRun);

        ActionOutcome restart = outcome(runner.run(request("restart", 1)));
        ActionOutcome page = outcome(runner.run(request("page", 2)));

        assertThat(restart.result()).isEqualTo(dryRun ? Result.DRY_RUN : Result.OK);
        assertThat(page.result()).isEqualTo(dryRun ? Result.DRY_RUN : Result.FAILED);
        assertThat(dir.resolve("ran").toFile().exists()).isEqualTo(!dryRun);
    }

    @Test
    void aReloadedActionRunsItsNewConfigurationWhileTheOldRunFinishesWithTheOld() throws Exception {
        Path old = script("old.sh", "touch " + dir.resolve("old-started") + "\nwhile [ ! -e " + dir.resolve("release")
                + " ]; do sleep 0.05; done\ntouch " + dir.resolve("old-done"));
        Path fresh = script("new.sh", "touch " + dir.resolve("new-ran"));
        ActionRunner runner = runner(Map.of("restart", exec("restart", old)), false);

        CompletableFuture<ActionOutcome> first = runner.run(request("restart", 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve("old-started")));
        runner.reconfigure(Map.of("restart", exec("restart", fresh)), false);
        ActionOutcome second = outcome(runner.run(request("restart", 2)));

        assertThat(second.result()).isEqualTo(Result.OK);
        assertThat(dir.resolve("new-ran")).exists();
        assertThat(first).as("the old run is not stopped by the reload").isNotDone();
        Files.createFile(dir.resolve("release"));
        assertThat(outcome(first).result()).isEqualTo(Result.OK);
        assertThat(dir.resolve("old-done")).exists();

        runner.reconfigure(Map.of("restart", exec("restart", fresh)), true);
        assertThat(outcome(runner.run(request("restart", 3))).result()).as("[agent] dry_run reloaded")
                .isEqualTo(Result.DRY_RUN);
        runner.reconfigure(Map.of(), false);
        assertThatThrownBy(() -> runner.run(request("restart", 4))).isInstanceOf(IllegalArgumentException.class);
    }

    private ExecActionConfig exec(String name, Path script) {
        return new ExecActionConfig(name, List.of(script.toString()), Duration.ofMinutes(1), dir, Map.of(), false,
                false, 3, List.of(), Duration.ofMinutes(2), null);
    }
}
