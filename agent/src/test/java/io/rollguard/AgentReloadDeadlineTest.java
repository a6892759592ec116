package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rollguard.check.CheckFactory;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ReloadResult;
import io.rollguard.journal.Event;
import io.rollguard.testing.AgentHttp;
import io.rollguard.time.FakeTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload whose read of the file never ends fails at its deadline, on the agent's timer, as any failed reload does:
 * the running configuration stays, the failure is journaled and exported, and the next reload is answered.
 */
class AgentReloadDeadlineTest {
    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final CountDownLatch release = new CountDownLatch(1);
    private Agent agent;

    @AfterEach
    void stop() {
        release.countDown();
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void aReadPastItsDeadlineFailsTheReloadAndTheRunningConfigurationStays() throws Exception {
        Path file = Files.writeString(dir.resolve("rollguard.toml"), "[agent]\nstate_dir = \"" + dir.resolve("state")
                + "\"\n[http]\nlisten = \"127.0.0.1:0\"\n");
        agent = new Agent(ConfigLoader.load(file), time, List.of(),
                new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start(false);
        // A read that never ends by itself, and not when interrupted either: as a parser spinning on its input.
        agent.readConfigWith(path -> {
            boolean released = false;
            while (!released) {
                try {
                    released = release.await(1, TimeUnit.DAYS);
                } catch (InterruptedException ignored) {
                    // keeps reading
                }
            }
            return ConfigLoader.load(path);
        });

        CompletableFuture<ReloadResult> first = agent.reloadAsync();
        await().atMost(Duration.ofSeconds(30)).until(() -> time.pending().contains(Agent.READ_DEADLINE));
        assertThat(first).isNotDone();
        time.advance(Agent.READ_DEADLINE);

        ReloadResult failed = first.get(30, TimeUnit.SECONDS);
        assertThat(failed.outcome()).isEqualTo(ReloadResult.Outcome.FAILED);
        assertThat(failed.message()).isEqualTo("reading it took longer than 30s");
        assertThat(agent.events(0, 100)).extracting(Event::kind).contains("config_reload_failed");
        agent.tick();
        assertThat(new AgentHttp(agent::httpAddress).body("/metrics")).contains("\nrollguard_config_last_reload_successful 0.0\n");

        ReloadResult next = agent.reloadAsync().get(30, TimeUnit.SECONDS);
        assertThat(next.outcome()).as("answered at once while the overdue read still runs")
                .isEqualTo(ReloadResult.Outcome.FAILED);
        assertThat(next.message()).isEqualTo("the read of an earlier reload, overdue since, has not finished");

        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.reloadAsync().get(30, TimeUnit.SECONDS).reloaded());
    }

    @Test
    void aReadThatBreaksFailsTheReloadAndTheNextOneRunsAtOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("rollguard.toml"), "[agent]\nstate_dir = \"" + dir.resolve("state")
                + "\"\n[http]\nlisten = \"127.0.0.1:0\"\n");
        agent = new Agent(ConfigLoader.load(file), time, List.of(),
                new CheckFactory(Clock.systemUTC(), () -> 1L << 30, () -> 2));
        agent.start(false);
        agent.readConfigWith(path -> {
            throw new StackOverflowError("a parser's bug");
        });

        ReloadResult failed = agent.reloadAsync().get(30, TimeUnit.SECONDS);

        assertThat(failed.outcome()).isEqualTo(ReloadResult.Outcome.FAILED);
        assertThat(failed.message()).isEqualTo("reading it failed: java.lang.StackOverflowError: a parser's bug");
        agent.readConfigWith(ConfigLoader::load);
        assertThat(agent.reloadAsync().get(30, TimeUnit.SECONDS).reloaded()).isTrue();
    }
}
