package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Owner names through this host's own resolver (getpwuid_r), and what the cache and the buffer growth do. */
class NssUserNamesTest {
    private final AtomicLong nanos = new AtomicLong();
    private final OwnerNames unused = new OwnerNames() {
        @Override
        public void refresh() {
            throw new AssertionError("the passwd file is the fallback only");
        }

        @Override
        public String name(long uid) {
            throw new AssertionError("the passwd file is the fallback only");
        }
    };

    @Test
    void theSystemsResolverNamesRootAndLeavesAnUnknownUidNumeric() {
        OwnerNames names = NssUserNames.of(unused, nanos::get);

        assertThat(names).isInstanceOf(NssUserNames.class);
        assertThat(names.name(0)).isEqualTo("root");
        assertThat(names.name(3_999_999_999L)).isEqualTo("3999999999");
        assertThat(names.name(-1)).isEqualTo("-1");
    }

    @Test
    void aNameIsCachedForItsTtlAndTheBufferGrowsUntilTheEntryFits() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Memory name = new Memory(16);
        name.setString(0, "backend");
        NssUserNames.LibC libc = (uid, pwd, buffer, size, result) -> {
            calls.incrementAndGet();
            if (size.longValue() < 4096) {
                return 34; // ERANGE: the entry does not fit
            }
            pwd.setPointer(0, name);
            result.setValue(pwd);
            return 0;
        };
        NssUserNames names = new NssUserNames(libc, unused, nanos::get);

        assertThat(names.name(1001)).isEqualTo("backend");
        assertThat(calls.get()).as("1 KiB and 4 KiB").isEqualTo(2);
        names.refresh();
        assertThat(names.name(1001)).isEqualTo("backend");
        assertThat(calls.get()).as("cached").isEqualTo(2);

        nanos.addAndGet(NssUserNames.TTL.toNanos());
        names.refresh();
        names.name(1001);
        assertThat(calls.get()).as("looked up again after the TTL").isEqualTo(4);
    }

    @Test
    void noSuchUserIsTheUidInDecimal() {
        NssUserNames.LibC none = (int uid, Pointer pwd, Pointer buffer, NativeLong size, PointerByReference result) -> 0;

        assertThat(new NssUserNames(none, unused, nanos::get).name(4242)).isEqualTo("4242");
    }
}
