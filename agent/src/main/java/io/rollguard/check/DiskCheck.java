package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.common.Human;
import io.rollguard.config.check.DiskCheckSpec;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The filesystem holding a path has room. A path that does not exist yet (a directory the deployment will create)
 * is judged by the filesystem of its nearest existing parent. The value is the bytes available to unprivileged users.
 */
final class DiskCheck implements Check {
    private final DiskCheckSpec spec;

    public DiskCheck(DiskCheckSpec spec) {
        this.spec = requireNonNull(spec, "spec");
    }

    @Override
    public CheckResult run() throws IOException {
        Path existing = spec.path().toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return CheckResult.failed(spec.path() + ": no existing parent directory");
        }
        FileStore store = Files.getFileStore(existing);
        long total = store.getTotalSpace();
        long free = store.getUnallocatedSpace();
        long available = store.getUsableSpace();
        long used = total - free;
        double usedRatio = used + available > 0 ? (double) used / (used + available) : 0;
        Expectations expectations = new Expectations();
        if (spec.minFree() >= 0) {
            expectations.require(available >= spec.minFree(), spec.path() + ": " + Human.bytes(available)
                    + " free, needs " + Human.bytes(spec.minFree()));
        }
        if (!Double.isNaN(spec.maxUsed())) {
            expectations.require(usedRatio <= spec.maxUsed(), String.format(java.util.Locale.ROOT,
                    "%s: %.0f%% used, at most %.0f%% allowed", spec.path(), usedRatio * 100, spec.maxUsed() * 100));
        }
        return expectations.result(String.format(java.util.Locale.ROOT, "%s: %s free, %.0f%% used", spec.path(),
                Human.bytes(available), usedRatio * 100), available);
    }
}
