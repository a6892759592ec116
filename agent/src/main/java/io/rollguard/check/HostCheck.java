package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Human;
import io.rollguard.config.check.DiskCheckSpec;
import io.rollguard.config.check.HostCheckSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/** The host meets a deployment's requirements: memory, CPUs, disk. The value is the physical memory in bytes. */
final class HostCheck implements Check {
    private final HostCheckSpec spec;
    private final LongSupplier totalMemory;
    private final IntSupplier logicalCpus;

    public HostCheck(HostCheckSpec spec, LongSupplier totalMemory, IntSupplier logicalCpus) {
        this.spec = requireNonNull(spec, "spec");
        this.totalMemory = requireNonNull(totalMemory, "totalMemory");
        this.logicalCpus = requireNonNull(logicalCpus, "logicalCpus");
    }

    @Override
    public CheckResult run() throws IOException {
        long memory = totalMemory.getAsLong();
        int cpus = logicalCpus.getAsInt();
        Expectations expectations = new Expectations();
        List<String> summary = new ArrayList<>();
        summary.add(Human.bytes(memory) + " memory");
        summary.add(cpus + " CPUs");
        if (spec.minMemory() >= 0) {
            expectations.require(memory >= spec.minMemory(), Human.bytes(memory) + " memory, needs "
                    + Human.bytes(spec.minMemory()));
        }
        if (spec.minCpus() >= 0) {
            expectations.require(cpus >= spec.minCpus(), cpus + " CPUs, needs " + spec.minCpus());
        }
        if (spec.minDisk() >= 0) {
            CheckResult disk = new DiskCheck(new DiskCheckSpec(spec.diskPath(), spec.minDisk(), Double.NaN)).run();
            if (!disk.ok()) {
                expectations.miss(disk.message());
            }
            summary.add(Human.bytes(disk.value()) + " free on " + spec.diskPath());
        }
        return expectations.result(String.join(", ", summary), memory);
    }
}
