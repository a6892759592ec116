package io.rollguard.sample;

import io.rollguard.config.Config;
import java.nio.file.Path;
import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;

/** The host samplers the agent runs, built from one OSHI entry point and the configuration. */
public final class HostSamplers {
    private static final Path PROC = Path.of("/proc");
    private static final Path CGROUP = Path.of("/sys/fs/cgroup");

    private HostSamplers() {}

    public static List<Sampler> create(SystemInfo system, Config config) {
        HardwareAbstractionLayer hardware = system.getHardware();
        return List.of(
                new CpuSampler(hardware.getProcessor()),
                new MemorySampler(hardware.getMemory()),
                new FilesystemSampler(system.getOperatingSystem().getFileSystem()),
                new ProcessSampler(PROC, CGROUP, config.processes(), System::nanoTime));
    }
}
