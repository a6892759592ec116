package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Human;
import io.rollguard.config.check.ProcessCheckSpec;
import io.rollguard.sample.ProcessProbe;
import java.io.IOException;

/** Processes run as required ("ps aux | grep src.main"): at least a count, at most a resident size. Value: the count. */
final class ProcessCheck implements Check {
    private final ProcessCheckSpec spec;
    private final ProcessProbe probe;

    public ProcessCheck(ProcessCheckSpec spec) {
        this(spec, new ProcessProbe(spec.process()));
    }

    ProcessCheck(ProcessCheckSpec spec, ProcessProbe probe) {
        this.spec = requireNonNull(spec, "spec");
        this.probe = requireNonNull(probe, "probe");
    }

    @Override
    public CheckResult run() throws IOException {
        ProcessProbe.Reading reading = probe.read();
        String name = spec.process().name();
        if (reading.count() == 0) {
            return CheckResult.failed(name + ": not running" + (spec.minCount() > 1 ? " (needs " + spec.minCount() + ")" : ""), 0);
        }
        Expectations expectations = new Expectations();
        expectations.require(reading.count() >= spec.minCount(), name + ": " + reading.count() + " running, needs "
                + spec.minCount());
        if (spec.maxRss() >= 0) {
            expectations.require(reading.residentBytes() <= spec.maxRss(), name + ": " + Human.bytes(reading.residentBytes())
                    + " resident (max " + Human.bytes(spec.maxRss()) + ")");
        }
        return expectations.result(name + ": " + reading.count() + (reading.count() == 1 ? " process, " : " processes, ")
                + Human.bytes(reading.residentBytes()) + " resident", reading.count());
    }
}
