package io.rollguard.sample;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * User names through the system's resolver, {@code getpwuid_r(3)} (through JNA, which OSHI brings): the names
 * {@code ls} and {@code ipcs} show, also those only NSS knows (LDAP, sssd), not only {@code /etc/passwd}'s. A name
 * is cached for {@link #TTL}, since NSS says nothing when a name changes. Where the C library cannot be loaded, the
 * passwd file is read instead, and the log says so once. Not thread-safe: one sampler owns it.
 */
final class NssUserNames implements OwnerNames {
    private static final Logger log = LoggerFactory.getLogger(NssUserNames.class);
    static final Duration TTL = Duration.ofMinutes(10);
    private static final int ERANGE = 34;

    /** The part of the C library used here. */
    interface LibC extends Library {
        int getpwuid_r(int uid, Pointer pwd, Pointer buffer, NativeLong size, PointerByReference result);
    }

    private final LibC libc;
    private final OwnerNames fallback;
    private final LongSupplier nanoTime;
    private final Map<Long, String> cache = new HashMap<>();
    private long cachedAtNanos;

    NssUserNames(LibC libc, OwnerNames fallback, LongSupplier nanoTime) {
        this.libc = libc;
        this.fallback = fallback;
        this.nanoTime = nanoTime;
        this.cachedAtNanos = nanoTime.getAsLong();
    }

    /** The host's resolver, or {@code fallback} (the passwd file) where the C library cannot be loaded. */
    static OwnerNames of(OwnerNames fallback, LongSupplier nanoTime) {
        try {
            return new NssUserNames(Native.load("c", LibC.class), fallback, nanoTime);
        } catch (LinkageError e) { // no JNA native library for this platform, or no libc: the file still names most
            log.warn("user names come from the passwd file only: the C library's getpwuid_r cannot be loaded ({})",
                    e.getMessage());
            return fallback;
        }
    }

    @Override
    public void refresh() {
        long now = nanoTime.getAsLong();
        if (now - cachedAtNanos >= TTL.toNanos()) {
            cache.clear();
            cachedAtNanos = now;
        }
    }

    @Override
    public String name(long uid) {
        return cache.computeIfAbsent(uid, this::lookUp);
    }

    /** {@code getpwuid_r}, its buffer grown while it says ERANGE; the uid in decimal when no user has it. */
    private String lookUp(long uid) {
        if (uid < 0 || uid > 0xFFFF_FFFFL) {
            return Long.toString(uid);
        }
        Memory passwd = new Memory(128); // struct passwd: five pointers and two 32-bit ids, 48 bytes on 64-bit
        for (long size = 1024; size <= 1 << 20; size *= 4) {
            Memory buffer = new Memory(size);
            PointerByReference result = new PointerByReference();
            int error = libc.getpwuid_r((int) uid, passwd, buffer, new NativeLong(size), result);
            if (error == ERANGE) {
                continue;
            }
            if (error != 0 || result.getValue() == null) {
                return Long.toString(uid); // no such user (or the resolver failed): numeric, as ls shows it
            }
            Pointer name = passwd.getPointer(0); // pw_name, the struct's first member
            return name == null ? Long.toString(uid) : name.getString(0);
        }
        return Long.toString(uid);
    }
}
