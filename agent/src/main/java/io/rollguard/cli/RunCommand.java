package io.rollguard.cli;

import io.rollguard.Agent;
import io.rollguard.Version;
import io.rollguard.check.CheckFactory;
import io.rollguard.config.Config;
import io.rollguard.logging.Logging;
import io.rollguard.sample.HostSamplers;
import io.rollguard.systemd.SystemdNotifier;
import io.rollguard.time.TimeSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code rollguard run}: the daemon. Runs until SIGTERM or SIGINT, then stops in bounded time; SIGHUP reloads the
 * configuration file.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the agent in the foreground (as systemd does).")
public final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption configOption;

    @Override
    public Integer call() throws InterruptedException {
        Optional<Config> loaded = configOption.loadReporting(spec.commandLine().getErr());
        if (loaded.isEmpty()) {
            return ExitCode.USAGE;
        }
        Config config = loaded.get();
        Logging.setLevel(config.agent().logLevel());
        log.info("rollguard {} starting with configuration {}", Version.current(), config.source());

        SystemInfo system = new SystemInfo();
        Agent agent = new Agent(config, TimeSource.system(), next -> HostSamplers.create(system, next),
                CheckFactory.forHost(system),
                SystemdNotifier.fromEnvironment(System.getenv(), ProcessHandle.current().pid()));
        agent.onReloaded(applied -> Logging.setLevel(applied.agent().logLevel()));
        try {
            agent.start();
        } catch (IOException e) {
            log.error("cannot start: {}", e.getMessage());
            agent.close();
            return ExitCode.FAILED;
        }
        reloadOnHangup(agent);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            agent.close();
            log.info("stopped");
            stopped.countDown();
        }, "rollguard-shutdown"));
        log.info("ready");
        stopped.await();
        return ExitCode.OK;
    }

    /**
     * SIGHUP reloads, as {@code systemctl reload} (ExecReload=) asks: the handler only hands the reload to the
     * agent's reload thread, whose outcome is logged there. Without the handler the JVM would die of the signal.
     */
    @SuppressWarnings("restriction")
    static void reloadOnHangup(Agent agent) {
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
                    signal -> agent.reloadAsync());
            // An ignored SIGHUP stays ignored: the JVM answers SIG_IGN and installs nothing.
            if (previous == sun.misc.SignalHandler.SIG_IGN
                    || IgnoredSignals.hangupIgnored(Path.of("/proc/self/status"))) {
                log.warn("SIGHUP is ignored (started under nohup?): reload with `rollguard reload` or POST /-/reload");
            }
        } catch (IllegalArgumentException e) { // the JVM reserves SIGHUP when started with -Xrs
            log.warn("cannot handle SIGHUP ({}); reload with POST /-/reload instead", e.getMessage());
        }
    }
}
