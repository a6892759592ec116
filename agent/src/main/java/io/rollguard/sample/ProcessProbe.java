package io.rollguard.sample;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.process.ProcessSettings;
import io.rollguard.store.LabelSet;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Looks at one {@code [[process]]} entry on demand, for the {@code process} check: the same reading as the process
 * sampler's, and the same command-line cache between runs.
 */
public final class ProcessProbe {
    /** What the entry's processes look like now. */
    public record Reading(long count, long residentBytes) {}

    private final ProcessSampler sampler;
    private final LabelSet labels;

    public ProcessProbe(ProcessSettings settings) {
        this(settings, HostSamplers.PROC, HostSamplers.CGROUP);
    }

    ProcessProbe(ProcessSettings settings, Path procRoot, Path cgroupRoot) {
        requireNonNull(settings, "settings");
        this.sampler = new ProcessSampler(procRoot, cgroupRoot, List.of(settings), System::nanoTime);
        this.labels = LabelSet.of("process", settings.name());
    }

    /** Reads the host now; an entry that cannot be looked up (an unreadable pidfile) throws. */
    public Reading read() throws IOException {
        SeriesWriter out = new SeriesWriter();
        sampler.sample(out);
        Double count = out.values().get(new io.rollguard.store.SeriesKey(WatchedProcess.COUNT, labels));
        Double resident = out.values().get(new io.rollguard.store.SeriesKey(WatchedProcess.RESIDENT_MEMORY, labels));
        if (count == null) {
            throw new IOException("cannot look up the processes of " + labels.get("process"));
        }
        return new Reading(count.longValue(), resident == null ? 0 : resident.longValue());
    }
}
