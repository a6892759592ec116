package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.process.ProcessSettings;

/**
 * {@code type = "process"}: the processes of a {@code [[process]]} entry (or of an inline {@code match}) run as
 * required.
 *
 * @param minCount at least this many must run (default 1)
 * @param maxRss their resident memory together at most this many bytes; -1 for no bound
 */
public record ProcessCheckSpec(ProcessSettings process, int minCount, long maxRss) implements CheckSpec {
    public ProcessCheckSpec {
        requireNonNull(process, "process");
    }

    @Override
    public String type() {
        return "process";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.process(this);
    }
}
