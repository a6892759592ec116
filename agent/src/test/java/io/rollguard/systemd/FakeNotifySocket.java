package io.rollguard.systemd;

import com.sun.jna.Native;
import com.sun.jna.platform.unix.LibCAPI.size_t;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** systemd's end of {@code $NOTIFY_SOCKET}: a bound AF_UNIX datagram socket, read without blocking. */
final class FakeNotifySocket implements AutoCloseable {
    private static final int EAGAIN = 11;

    private final UnixDatagrams.Libc libc = UnixDatagrams.forHost().libc();
    private final String name;
    private final int socket;
    private final List<String> received = new ArrayList<>();

    /** @param name a path, or an abstract name starting with '@' */
    FakeNotifySocket(String name) throws IOException {
        this.name = name;
        socket = libc.socket(UnixDatagrams.AF_UNIX, UnixDatagrams.SOCK_DGRAM | UnixDatagrams.SOCK_CLOEXEC, 0);
        if (socket < 0) {
            throw new IOException("socket: errno " + Native.getLastError());
        }
        byte[] address = UnixDatagrams.address(name);
        if (libc.bind(socket, address, address.length) < 0) {
            int errno = Native.getLastError();
            libc.close(socket);
            throw new IOException("bind " + name + ": errno " + errno);
        }
    }

    String name() {
        return name;
    }

    /** Every datagram received so far, oldest first, after reading those waiting. */
    synchronized List<String> datagrams() throws IOException {
        byte[] buffer = new byte[4096];
        while (true) {
            long length = libc.recv(socket, buffer, new size_t(buffer.length), UnixDatagrams.MSG_DONTWAIT).longValue();
            if (length < 0) {
                int errno = Native.getLastError();
                if (errno == EAGAIN) {
                    return List.copyOf(received);
                }
                throw new IOException("recv: errno " + errno);
            }
            received.add(new String(buffer, 0, (int) length, StandardCharsets.UTF_8));
        }
    }

    /** Every line of every datagram: one assignment each, such as "READY=1". */
    List<String> lines() throws IOException {
        return datagrams().stream().flatMap(d -> d.lines()).toList();
    }

    @Override
    public void close() {
        libc.close(socket);
    }
}
