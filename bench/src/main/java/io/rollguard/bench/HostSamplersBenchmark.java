package io.rollguard.bench;

import io.rollguard.config.ConfigException;
import io.rollguard.config.ConfigLoader;
import io.rollguard.sample.HostSamplers;
import io.rollguard.sample.Sampler;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import oshi.SystemInfo;

/**
 * One tick of every host sampler of the default configuration, on the real host: what the agent's scheduler runs
 * when every sampler is due at once (ports, filesystems and shared memory are due less often than every tick, so
 * this is the worst tick, not the average one). Budget: 10 ms median.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HostSamplersBenchmark {
    private List<Sampler> samplers;

    @Setup
    public void createSamplers() throws ConfigException {
        samplers = HostSamplers.create(new SystemInfo(), ConfigLoader.loadDefault());
    }

    @Benchmark
    public void tick(Blackhole blackhole) throws IOException {
        for (Sampler sampler : samplers) {
            SeriesWriter writer = new SeriesWriter();
            sampler.sample(writer);
            blackhole.consume(writer);
        }
    }
}
