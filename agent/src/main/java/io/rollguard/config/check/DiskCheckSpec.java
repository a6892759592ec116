package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * {@code type = "disk"}: the filesystem holding {@code path} has room.
 *
 * @param minFree bytes available to unprivileged users at least; -1 for no bound
 * @param maxUsed used ratio at most, as df's Use%; NaN for no bound
 */
public record DiskCheckSpec(Path path, long minFree, double maxUsed) implements CheckSpec {
    public DiskCheckSpec {
        requireNonNull(path, "path");
    }

    @Override
    public String type() {
        return "disk";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.disk(this);
    }
}
