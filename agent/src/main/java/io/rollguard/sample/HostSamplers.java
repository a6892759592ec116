package io.rollguard.sample;

import io.rollguard.config.Config;
import java.nio.file.Path;
import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;

/**
 * The host samplers the agent runs: those OSHI serves, built from one entry point, and those that read what OSHI does
 * not cover (System V shared memory, sockets and processes with their details) from this host's /proc, /sys, /dev/shm
 * and /etc.
 */
public final class HostSamplers {
    /** Where the samplers that read the kernel's files themselves find them. */
    static final Path PROC = Path.of("/proc");
    static final Path CGROUP = Path.of("/sys/fs/cgroup");

    private HostSamplers() {}

    public static List<Sampler> create(SystemInfo system, Config config) {
        HardwareAbstractionLayer hardware = system.getHardware();
        return List.of(
                new CpuSampler(hardware.getProcessor()),
                new MemorySampler(hardware.getMemory()),
                FilesystemSampler.forHost(config.filesystemFilter()),
                new DiskSampler(PROC),
                new NetworkSampler(PROC),
                SharedMemorySampler.forHost(),
                PortSampler.forHost(),
                new ProcessSampler(PROC, CGROUP, config.processes(), System::nanoTime));
    }
}
