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

/** {@code rollguard run}: the daemon. Runs until SIGTERM or SIGINT, then stops in bounded time. */
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
        Agent agent = new Agent(config, TimeSource.system(), HostSamplers.create(system, config),
                CheckFactory.forHost(system),
                SystemdNotifier.fromEnvironment(System.getenv(), ProcessHandle.current().pid()));
        try {
            agent.start();
        } catch (IOException e) {
            log.error("cannot start: {}", e.getMessage());
            agent.close();
            return ExitCode.FAILED;
        }
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
}
