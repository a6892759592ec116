package io.rollguard.bench;

import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.config.ConfigSource;
import io.rollguard.config.process.ProcessSettings;
import io.rollguard.sample.ProcessSampler;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The process sampler with a few {@code [[process]]} entries while 500 extra processes run: every sample lists
 * {@code /proc} and reads the stat of every process, because a {@code match} entry must notice a pid reused by a
 * process that now matches. Budget: 20 ms.
 *
 * <p>{@code watched = few}: a {@code match} on this JVM, a {@code pidfile} naming this JVM and a {@code unit} that
 * does not run, as a host with one backend configures it (the budget's case). {@code few+sleepers} adds a
 * {@code match} that selects the 500 children, whose status and open files are then read every sample too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ProcessSamplerBenchmark {
    static final int EXTRA_PROCESSES = 500;

    @Param({"few", "few+sleepers"})
    public String watched;

    private final List<Process> children = new ArrayList<>();
    private Path pidFile;
    private ProcessSampler sampler;

    @Setup(Level.Trial)
    public void startProcesses() throws IOException, ConfigException {
        ProcessBuilder sleeper = new ProcessBuilder("sleep", "600")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            for (int i = 0; i < EXTRA_PROCESSES; i++) {
                children.add(sleeper.start());
            }
            pidFile = Files.createTempFile("rollguard-bench", ".pid");
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
            sampler = new ProcessSampler(Path.of("/proc"), Path.of("/sys/fs/cgroup"), processes(pidFile),
                    System::nanoTime);
            sampler.sample(new SeriesWriter()); // the first sample reads every command line; later ones rarely do
        } catch (IOException | ConfigException | RuntimeException e) {
            stopProcesses(); // JMH runs no @TearDown after a failed @Setup
            throw e;
        }
    }

    private List<ProcessSettings> processes(Path pidFile) throws ConfigException {
        StringBuilder toml = new StringBuilder();
        toml.append(process("bench-jvm", "match", "org\\\\.openjdk\\\\.jmh\\\\.runner\\\\.ForkedMain"));
        toml.append(process("bench-pidfile", "pidfile", pidFile.toString()));
        toml.append(process("absent-unit", "unit", "rollguard-bench-absent.service"));
        if (watched.equals("few+sleepers")) {
            toml.append(process("sleepers", "match", "^sleep 600$"));
        }
        return ConfigLoader.parse(new ConfigSource("bench.toml", toml.toString(), Path.of("/"))).processes();
    }

    private static String process(String name, String selector, String value) {
        return "[[process]]\nname = \"" + name + "\"\n" + selector + " = \"" + value + "\"\n";
    }

    @TearDown(Level.Trial)
    public void stopProcesses() throws IOException {
        for (Process child : children) {
            child.destroy();
        }
        for (Process child : children) {
            try {
                if (!child.waitFor(10, TimeUnit.SECONDS)) {
                    child.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.destroyForcibly();
            }
        }
        children.clear();
        if (pidFile != null) {
            Files.deleteIfExists(pidFile);
        }
    }

    @Benchmark
    public SeriesWriter sample() throws IOException {
        SeriesWriter writer = new SeriesWriter();
        sampler.sample(writer);
        return writer;
    }
}
