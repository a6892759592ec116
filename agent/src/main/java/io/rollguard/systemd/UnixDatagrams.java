package io.rollguard.systemd;

import static java.util.Objects.requireNonNull;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.platform.unix.LibCAPI.size_t;
import com.sun.jna.platform.unix.LibCAPI.ssize_t;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Datagrams to an AF_UNIX socket through the C library. Java 17 has AF_UNIX stream sockets only
 * ({@code DatagramChannel.open(StandardProtocolFamily.UNIX)} throws "Protocol family not supported"), and
 * {@code $NOTIFY_SOCKET} is a datagram socket. Each {@link #send} opens a socket, sends, and closes it, as
 * {@code sd_notify(3)} does: a message every few seconds does not need a socket held open, and none can leak.
 */
final class UnixDatagrams {
    /** The C library's socket calls; jna-platform's {@code LibC} maps {@code close} but none of the others. */
    interface Libc extends Library {
        int socket(int domain, int type, int protocol);

        ssize_t sendto(int socket, byte[] buffer, size_t length, int flags, byte[] address, int addressLength);

        int bind(int socket, byte[] address, int addressLength);

        ssize_t recv(int socket, byte[] buffer, size_t length, int flags);

        int close(int fd);

        String strerror(int errno);
    }

    static final int AF_UNIX = 1;
    /** SOCK_DGRAM of every Linux architecture but MIPS (where it is 1). */
    static final int SOCK_DGRAM = 2;
    /** O_CLOEXEC of x86, arm, riscv, ppc and s390: a rollback script the agent starts must not inherit the socket. */
    static final int SOCK_CLOEXEC = 0x80000;
    /** Never block the tick on a manager that is slow to read: a lost message is sent again soon. */
    static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** sizeof(struct sockaddr_un): a short family and 108 bytes of path. */
    private static final int SOCKADDR_UN_BYTES = 110;
    private static final int PATH_BYTES = SOCKADDR_UN_BYTES - 2;

    private final Libc libc;

    UnixDatagrams(Libc libc) {
        this.libc = requireNonNull(libc, "libc");
    }

    /** Over this host's C library. */
    static UnixDatagrams forHost() {
        return new UnixDatagrams(Native.load("c", Libc.class));
    }

    Libc libc() {
        return libc;
    }

    /** Sends one datagram to the socket named {@code name}: a path, or an abstract name when it starts with '@'. */
    void send(String name, byte[] message) throws IOException {
        byte[] address = address(name);
        int socket = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (socket < 0) {
            throw failure("socket", Native.getLastError());
        }
        try {
            long sent = libc.sendto(socket, message, new size_t(message.length), MSG_DONTWAIT | MSG_NOSIGNAL, address,
                    address.length).longValue();
            if (sent < 0) {
                throw failure("sendto " + name, Native.getLastError());
            }
        } finally {
            libc.close(socket);
        }
    }

    /**
     * A {@code struct sockaddr_un} as long as it needs to be: an abstract name has no terminating NUL and its length
     * is part of the name, so the address must end exactly where the name does.
     */
    static byte[] address(String name) throws IOException {
        if (name.isEmpty() || name.equals("@")) {
            throw new IOException("not a socket name: \"" + name + "\"");
        }
        boolean abstractName = name.startsWith("@");
        byte[] path = (abstractName ? "\0" + name.substring(1) : name).getBytes(StandardCharsets.UTF_8);
        int length = abstractName ? path.length : path.length + 1;
        if (length > PATH_BYTES) {
            throw new IOException("socket name longer than " + PATH_BYTES + " bytes: " + name);
        }
        return ByteBuffer.allocate(2 + length).order(ByteOrder.nativeOrder()).putShort((short) AF_UNIX).put(path)
                .array();
    }

    IOException failure(String call, int errno) {
        return new IOException(call + ": " + libc.strerror(errno) + " (errno " + errno + ")");
    }
}
