package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * {@code type = "host"}: the host meets a deployment's requirements ("RAM >= 8 GB, >= 4 cores, >= 100 GB disk").
 *
 * @param minMemory physical memory in bytes; -1 for no bound
 * @param minCpus logical CPUs; -1 for no bound
 * @param minDisk bytes available on the filesystem holding {@code diskPath}; -1 for no bound
 */
public record HostCheckSpec(long minMemory, int minCpus, long minDisk, Path diskPath) implements CheckSpec {
    public HostCheckSpec {
        requireNonNull(diskPath, "diskPath");
    }

    @Override
    public String type() {
        return "host";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.host(this);
    }
}
