package io.rollguard.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.rollguard.action.ActionOutcome.Result;
import io.rollguard.config.action.ExecActionConfig;
import io.rollguard.time.FakeTime;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** Real scripts in a temporary directory, run as the daemon would run them. */
class ExecActionTest {
    private static final Duration GRACE = Duration.ofMillis(300);

    @TempDir
    Path dir;

    private final ExecutorService pipes = Executors.newCachedThreadPool();
    /** The agent's timer, where a program's timeout is a deadline: stepped by the timeout tests, by no other. */
    private final FakeTime timer = new FakeTime();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ExecAction.class);
    /** Processes a test leaves in the background on purpose, ended by their pid. */
    private final List<Long> leftRunning = new ArrayList<>();

    @BeforeEach
    void captureLog() {
        logged.start();
        logger.addAppender(logged);
        logger.setAdditive(false); // a thousand lines of a flood belong in the list, not on the console
    }

    @AfterEach
    void cleanUp() {
        logger.detachAppender(logged);
        logger.setAdditive(true);
        pipes.shutdownNow();
        leftRunning.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    private Path script(String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private ExecActionConfig config(List<String> run, Duration timeout, Path cwd, Map<String, String> env) {
        return new ExecActionConfig("rollback", run, timeout, cwd, env, false, true, 3, List.of(),
                Duration.ofMinutes(2), null);
    }

    private ActionOutcome run(ExecActionConfig config) {
        return new ExecAction(config, false, pipes, TimeSource.system(), timer, GRACE).execute(request());
    }

    /**
     * Runs {@code config} until its script has made the file {@code ready}, then steps the timer to the timeout: it
     * fires then, never before the script has set itself up, however slow the machine.
     */
    private ActionOutcome runToTimeout(ExecActionConfig config, Path ready) throws Exception {
        CompletableFuture<ActionOutcome> outcome = CompletableFuture.supplyAsync(() -> run(config), pipes);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ready)
                && timer.pending().contains(config.timeout()));
        assertThat(outcome).as("still running").isNotDone();
        timer.advance(config.timeout());
        return outcome.get(60, TimeUnit.SECONDS);
    }

    private ActionOutcome run(Path script, String... arguments) {
        List<String> argv = new ArrayList<>(List.of(script.toString()));
        argv.addAll(List.of(arguments));
        return run(config(argv, Duration.ofSeconds(30), dir, Map.of()));
    }

    private static ActionRequest request() {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", 42);
        event.put("rule", "memory-pressure");
        event.put("value", 0.93);
        event.put("labels", Map.of("mount", "/data"));
        event.put("deployment", null);
        return new ActionRequest("rollback", Map.of(
                "ROLLGUARD_RULE", "memory-pressure",
                "ROLLGUARD_SEVERITY", "critical",
                "ROLLGUARD_VALUE", "0.93",
                "ROLLGUARD_LABELS", "mount=/data"), event);
    }

    private List<String> loggedLines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private long pid(String file) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve(file)).strip());
    }

    @Test
    void theEnvironmentHasTheAgentsTheActionsAndTheBreachsVariables() throws IOException {
        Path env = dir.resolve("env.txt");
        Path script = script("env.sh", "env > " + env);

        ActionOutcome outcome = run(config(List.of(script.toString()), Duration.ofSeconds(30), dir,
                Map.of("APP_ENV", "production", "EMPTY", "")));

        assertThat(outcome.result()).isEqualTo(Result.OK);
        assertThat(Files.readAllLines(env)).contains("ROLLGUARD_RULE=memory-pressure", "ROLLGUARD_SEVERITY=critical",
                        "ROLLGUARD_VALUE=0.93", "ROLLGUARD_LABELS=mount=/data", "APP_ENV=production", "EMPTY=")
                .anyMatch(line -> line.startsWith("PATH="));
    }

    @Test
    void standardInputCarriesTheEventAsJson() throws IOException {
        Path received = dir.resolve("event.json");
        Path script = script("stdin.sh", "cat > " + received);

        ActionOutcome outcome = run(script);

        assertThat(outcome.result()).isEqualTo(Result.OK);
        assertThat(Files.readString(received)).isEqualTo(
                "{\"id\":42,\"rule\":\"memory-pressure\",\"value\":0.93,\"labels\":{\"mount\":\"/data\"},"
                        + "\"deployment\":null}\n");
    }

    @Test
    void aProgramThatIgnoresItsInputStillSucceeds() throws IOException {
        assertThat(run(script("ignore.sh", "exit 0")).result()).isEqualTo(Result.OK);
    }

    @Test
    void argumentsArePassedAsArgvNeverThroughAShell() throws IOException {
        Path received = dir.resolve("args.txt");
        Path script = script("args.sh", "printf '%s\\n' \"$@\" > " + received);
        String substitution = "$(touch " + dir.resolve("pwned") + ")";

        ActionOutcome outcome = run(script, substitution, "a b; c", "*", "`id`");

        assertThat(outcome.result()).isEqualTo(Result.OK);
        assertThat(Files.readAllLines(received)).containsExactly(substitution, "a b; c", "*", "`id`");
        assertThat(dir.resolve("pwned")).doesNotExist();
    }

    @Test
    void outputIsLoggedLineByLineWithTheActionsNameAndKeptForTheOutcome() throws IOException {
        Path script = script("talk.sh", "echo 'restarting backend...'; echo 'warning: slow' >&2; printf 'done'");

        ActionOutcome outcome = run(script);

        assertThat(loggedLines()).filteredOn(line -> line.contains(": | "))
                .containsExactly("rollback: | restarting backend...", "rollback: | warning: slow", "rollback: | done");
        assertThat(loggedLines().get(0)).matches("rollback: started .*talk\\.sh \\(pid [0-9]+, timeout 30s\\)");
        assertThat(loggedLines().get(loggedLines().size() - 1)).matches("rollback: exit 0 after [0-9]+ ms");
        assertThat(outcome.output()).isEqualTo("restarting backend...\nwarning: slow\ndone");
        assertThat(outcome.exitCode()).isZero();
    }

    @Test
    void tenMegabytesOfOutputKeepTheLast64KibAndAThousandLoggedLines() throws IOException {
        Path script = script("flood.sh", "yes 0123456789abcdef | head -c 10485760; echo; echo 'the end'");

        ActionOutcome outcome = run(script);

        assertThat(outcome.result()).isEqualTo(Result.OK);
        assertThat(outcome.output().getBytes(StandardCharsets.UTF_8)).hasSize(ProgramOutput.TAIL_BYTES);
        assertThat(outcome.output()).endsWith("0123456789abcdef\n0123456\nthe end\n");
        assertThat(outcome.message()).endsWith("; 10.0 MiB of output, the last 64 KiB kept");
        List<String> lines = loggedLines().stream().filter(line -> line.contains(": | ")).toList();
        assertThat(lines).hasSize(ProgramOutput.MAX_LOGGED_LINES).allMatch(line -> line.equals("rollback: | 0123456789abcdef"));
        assertThat(loggedLines()).containsOnlyOnce("rollback: output truncated: no more lines logged after 1000; "
                + "its last 64 KiB stay in the outcome");
    }

    static Stream<Arguments> endlessOutput() {
        return Stream.of(
                Arguments.arguments("endless lines", "exec yes rollguard-flood", "rollguard-flood\n"),
                Arguments.arguments("one endless line", "exec cat /dev/zero", "\0"));
    }

    /** Gigabytes if let run: memory holds the tail and one line, whatever comes, and the timeout ends it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("endlessOutput")
    void outputThatNeverEndsIsBoundedAndStoppedAtTheTimeout(String name, String body, String unit) throws Exception {
        Path script = script("endless.sh", "echo $$ > " + dir.resolve("endless.pid") + "\ntouch "
                + dir.resolve("ready") + "\n" + body);

        ActionOutcome outcome = runToTimeout(config(List.of(script.toString()), Duration.ofSeconds(2), dir, Map.of()),
                dir.resolve("ready"));

        assertThat(outcome.result()).isEqualTo(Result.TIMEOUT);
        assertThat(outcome.message()).startsWith("timed out after 2s; stopped its process tree")
                .matches(".*; [0-9.]+ [KMG]iB of output, the last 64 KiB kept");
        byte[] kept = outcome.output().getBytes(StandardCharsets.UTF_8);
        assertThat(kept).hasSize(ProgramOutput.TAIL_BYTES);
        assertThat(outcome.output().replace(unit, "")).as("only what the program printed").hasSizeLessThan(unit.length());
        assertThat(loggedLines().stream().filter(line -> line.startsWith("rollback: | ")))
                .hasSizeLessThanOrEqualTo(ProgramOutput.MAX_LOGGED_LINES)
                .allSatisfy(line -> assertThat(line.length()).isLessThan(ProgramOutput.MAX_LINE_BYTES + 100));
        long pid = pid("endless.pid");
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(pid));
    }

    @Test
    void aVeryLongLineIsCutInTheLogButNotInTheTail() throws IOException {
        Path script = script("long.sh", "head -c 10000 /dev/zero | tr '\\0' 'y'; echo; echo short");

        ActionOutcome outcome = run(script);

        assertThat(loggedLines()).contains("rollback: | " + "y".repeat(ProgramOutput.MAX_LINE_BYTES)
                + " [line cut at 4096 bytes]", "rollback: | short");
        assertThat(outcome.output()).isEqualTo("y".repeat(10000) + "\nshort\n");
    }

    @Test
    void aTimeoutStopsTheWholeTreeEvenWhenItIgnoresSigterm() throws Exception {
        Path script = script("stubborn.sh", String.join("\n",
                "trap '' TERM",
                "sleep 300 &",
                "echo $! > " + dir.resolve("child.pid"),
                "echo $$ > " + dir.resolve("parent.pid"),
                "echo 'waiting for ever'",
                "touch " + dir.resolve("ready"),
                "wait"));

        ActionOutcome outcome = runToTimeout(config(List.of(script.toString()), Duration.ofSeconds(30), dir, Map.of()),
                dir.resolve("ready"));

        assertThat(outcome.result()).isEqualTo(Result.TIMEOUT);
        assertThat(outcome.message()).isEqualTo("timed out after 30s; stopped its process tree");
        assertThat(outcome.exitCode()).as("SIGKILL").isEqualTo(137);
        assertThat(outcome.output()).isEqualTo("waiting for ever\n");
        long parent = pid("parent.pid");
        long child = pid("child.pid");
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(parent) && !alive(child));
        assertThat(loggedLines()).contains(
                "rollback: still running after 30s; stopping its process tree (SIGTERM, SIGKILL after 300ms)");
    }

    /**
     * {@code (sleep 300 &)} forks twice: the sleep is reparented to init and is no longer a descendant of the script,
     * but it is still in the script's process group, which the timeout stops whole.
     */
    @Test
    void aTimeoutStopsWhatTheProgramLeftInItsProcessGroup() throws Exception {
        Path script = script("orphaning.sh", String.join("\n",
                "(sleep 300 & echo $! > " + dir.resolve("orphan.pid") + ")",
                "touch " + dir.resolve("ready"),
                "sleep 300"));

        ActionOutcome outcome = runToTimeout(config(List.of(script.toString()), Duration.ofSeconds(30), dir, Map.of()),
                dir.resolve("ready"));

        assertThat(outcome.result()).isEqualTo(Result.TIMEOUT);
        long orphan = pid("orphan.pid");
        leftRunning.add(orphan);
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(orphan));
    }

    /** A script's {@code kill 0} reaches its own group only; this test's JVM would die of it otherwise. */
    @Test
    void theProgramRunsInASessionAndProcessGroupOfItsOwn() throws IOException {
        Path ids = dir.resolve("ids");
        // Fields 5 and 6 of /proc/PID/stat, after the command name: the process group and the session.
        Path script = script("ids.sh", "echo $$ $(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f3,4) > " + ids);

        ActionOutcome outcome = run(script);

        assertThat(outcome.result()).isEqualTo(Result.OK);
        String[] pidGroupSession = Files.readString(ids).strip().split(" ");
        assertThat(pidGroupSession[1]).as("process group").isEqualTo(pidGroupSession[0]);
        assertThat(pidGroupSession[2]).as("session").isEqualTo(pidGroupSession[0]);
    }

    @Test
    void aTreeThatHonoursSigtermEndsAtOnce() throws Exception {
        Path script = script("polite.sh", "sleep 300 & echo $! > " + dir.resolve("child.pid") + "; touch "
                + dir.resolve("ready") + "; wait");

        ActionOutcome outcome = runToTimeout(config(List.of(script.toString()), Duration.ofSeconds(30), dir, Map.of()),
                dir.resolve("ready"));

        assertThat(outcome.result()).isEqualTo(Result.TIMEOUT);
        assertThat(outcome.exitCode()).as("SIGTERM").isEqualTo(143);
        long child = pid("child.pid");
        await().atMost(Duration.ofSeconds(5)).until(() -> !alive(child));
    }

    static Stream<Arguments> exits() {
        return Stream.of(
                Arguments.arguments("exit 0", Result.OK, 0, "exit 0 after "),
                Arguments.arguments("echo 'rolled back to v41'; exit 0", Result.OK, 0, "exit 0 after "),
                Arguments.arguments("echo starting; echo 'database is locked' >&2; exit 3", Result.FAILED, 3,
                        "exit 3 after .*: database is locked"),
                Arguments.arguments("exit 1", Result.FAILED, 1, "exit 1 after [0-9.]+ m?s"),
                Arguments.arguments("kill -9 $$", Result.FAILED, 137, "exit 137 after "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exits")
    void theExitCodeDecidesTheResult(String body, Result result, int exit, String message) throws IOException {
        ActionOutcome outcome = run(script("exit.sh", body));

        assertThat(outcome.result()).isEqualTo(result);
        assertThat(outcome.exitCode()).isEqualTo(exit);
        assertThat(outcome.message()).containsPattern("^" + message);
    }

    @Test
    void theProgramRunsInItsWorkingDirectory() throws IOException {
        Path work = Files.createDirectory(dir.resolve("work"));
        Path script = script("here.sh", "pwd > where.txt");

        ActionOutcome outcome = run(config(List.of(script.toString()), Duration.ofSeconds(30), work, Map.of()));

        assertThat(outcome.result()).isEqualTo(Result.OK);
        assertThat(work.resolve("where.txt")).hasContent(work.toRealPath().toString());
    }

    @Test
    void aRelativeProgramIsFoundInTheWorkingDirectory() throws IOException {
        script("relative.sh", "touch ran");

        ActionOutcome outcome = run(config(List.of("./relative.sh"), Duration.ofSeconds(30), dir, Map.of()));

        assertThat(outcome.result()).isEqualTo(Result.OK);
        assertThat(dir.resolve("ran")).exists();
    }

    @Test
    void aDryRunRunsNothingAndSaysWhatWouldHaveRun() throws IOException {
        Path script = script("touch.sh", "touch " + dir.resolve("ran"));
        ExecActionConfig config = config(List.of(script.toString(), "--to", "previous"), Duration.ofSeconds(30), dir,
                Map.of());

        ActionOutcome outcome = new ExecAction(config, true, pipes, TimeSource.system(), timer, GRACE).execute(request());

        assertThat(outcome).isEqualTo(new ActionOutcome(Result.DRY_RUN, null, Duration.ZERO, "",
                "would run: [" + script + ", --to, previous]"));
        assertThat(dir.resolve("ran")).doesNotExist();
        assertThat(loggedLines()).containsExactly("rollback: dry run: would run: [" + script + ", --to, previous]");
    }

    @Test
    void aProgramThatCannotStartFailsWithAClearMessage() {
        Path missing = dir.resolve("missing.sh");

        ActionOutcome outcome = run(config(List.of(missing.toString()), Duration.ofSeconds(30), dir, Map.of()));

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.exitCode()).isNull();
        assertThat(outcome.message()).isEqualTo("cannot run " + missing + ": No such file or directory");
    }

    @Test
    void aMissingWorkingDirectoryFailsBeforeAnythingRuns() throws IOException {
        Path script = script("touch.sh", "touch " + dir.resolve("ran"));
        Path gone = dir.resolve("gone");

        ActionOutcome outcome = run(config(List.of(script.toString()), Duration.ofSeconds(30), gone, Map.of()));

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.message()).isEqualTo("cannot run " + script + ": its working directory " + gone
                + " is not a directory");
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    @Test
    void aProgramOthersCouldHaveChangedIsRefused() throws IOException {
        Path script = script("shared.sh", "touch " + dir.resolve("ran"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxrwxr-x"));

        ActionOutcome outcome = run(script);

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.message()).isEqualTo("refusing to run " + script + ": it is writable by its group; fix with: "
                + "chmod g-w " + script);
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    @Test
    void aProgramInADirectoryOthersCanWriteIsRefused() throws IOException {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path script = script("shared/rollback.sh", "touch " + dir.resolve("ran"));

        ActionOutcome outcome = run(script);

        assertThat(outcome.result()).isEqualTo(Result.FAILED);
        assertThat(outcome.message()).isEqualTo("refusing to run " + script + ": its directory " + shared
                + " is writable by its group and others; fix with: chmod go-w " + shared);
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    @Test
    void allowInsecurePermissionsRunsTheProgramAfterAWarning() throws IOException {
        Path script = script("shared.sh", "touch " + dir.resolve("ran"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxrwxr-x"));

        ActionOutcome outcome = new ExecAction(config(List.of(script.toString()), Duration.ofSeconds(30), dir,
                Map.of()), false, true, pipes, TimeSource.system(), timer, GRACE,
                io.rollguard.process.ProgramLauncher.forHost()).execute(request());

        assertThat(outcome.result()).isEqualTo(Result.OK);
        assertThat(dir.resolve("ran")).exists();
        assertThat(loggedLines()).contains("rollback: would refuse to run " + script + ": it is writable by its group; "
                + "fix with: chmod g-w " + script + "; running it anyway ([agent] allow_insecure_permissions)");
    }

    @Test
    void aProcessLeftInTheBackgroundDoesNotHoldTheOutcome() throws Exception {
        Path go = dir.resolve("go");
        // The script exits only once its output is being read, so that the reader is inside read() when it does.
        Path script = script("daemon.sh", String.join("\n",
                "sleep 300 &",
                "echo $! > " + dir.resolve("daemon.pid"),
                "echo started",
                "while [ ! -e " + go + " ]; do sleep 0.05; done"));

        CompletableFuture<ActionOutcome> running = CompletableFuture.supplyAsync(() -> run(script), pipes);
        await().atMost(Duration.ofSeconds(10)).until(() -> loggedLines().contains("rollback: | started"));
        Files.createFile(go);
        ActionOutcome outcome = running.get(30, TimeUnit.SECONDS);
        leftRunning.add(pid("daemon.pid"));

        assertThat(outcome.result()).isEqualTo(Result.OK);
        assertThat(outcome.output()).isEqualTo("started\n");
        assertThat(outcome.message()).endsWith(
                "; a process it left running still holds its output, which is no longer collected");
        assertThat(alive(pid("daemon.pid"))).as("a server the script started is not the agent's to stop").isTrue();
    }
}
