package io.rollguard.systemd;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how the agent is doing over {@code $NOTIFY_SOCKET}, as {@code sd_notify(3)} does: {@code READY=1}
 * after the first tick, {@code WATCHDOG=1} from the tick loop itself (so that a loop that stalls stops the pings
 * and {@code WatchdogSec=} restarts the agent), {@code STATUS=} when the one-line summary changes, and
 * {@code STOPPING=1}. Without {@code $NOTIFY_SOCKET} (not under systemd, or not {@code Type=notify}) it does nothing.
 *
 * <p>Sending never throws: a failure is logged once, and once more when sending works again. The tick methods are
 * called by one thread, the scheduler's; {@link #stopping()} by the one that stops the agent.
 */
public final class SystemdNotifier {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotifier.class);

    /** Sends one datagram to the manager. */
    interface Transport {
        void send(byte[] message) throws IOException;
    }

    private final Transport transport;
    private final String socketName;
    private final Duration watchdogPing; // null: no watchdog for us
    private boolean ready;
    private long lastPing;
    private boolean pinged;
    private String status = "";
    private boolean failing;

    SystemdNotifier(Transport transport, String socketName, Duration watchdogPing) {
        this.transport = transport;
        this.socketName = socketName;
        this.watchdogPing = watchdogPing;
    }

    /** A notifier that sends nothing. */
    public static SystemdNotifier disabled() {
        return new SystemdNotifier(null, null, null);
    }

    /**
     * From the environment systemd gives the service: {@code NOTIFY_SOCKET}, and {@code WATCHDOG_USEC} with
     * {@code WATCHDOG_PID} (the watchdog is ours when the pid is absent or {@code pid}).
     *
     * @param pid this process's id
     */
    public static SystemdNotifier fromEnvironment(Map<String, String> environment, long pid) {
        String socket = environment.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return disabled();
        }
        UnixDatagrams datagrams;
        try {
            datagrams = UnixDatagrams.forHost();
        } catch (UnsatisfiedLinkError e) {
            log.warn("NOTIFY_SOCKET is set but the C library cannot be loaded ({}); systemd hears nothing from us",
                    e.getMessage());
            return disabled();
        }
        return new SystemdNotifier(message -> datagrams.send(socket, message), socket, watchdogPing(environment, pid));
    }

    /** Half of {@code WatchdogSec=}, as {@code sd_watchdog_enabled(3)} advises; null when the watchdog is off or not ours. */
    static Duration watchdogPing(Map<String, String> environment, long pid) {
        String usec = environment.get("WATCHDOG_USEC");
        String watchdogPid = environment.get("WATCHDOG_PID");
        if (usec == null) {
            return null;
        }
        try {
            if (watchdogPid != null && Long.parseLong(watchdogPid.strip()) != pid) {
                return null; // the watchdog is another process's, as after a fork that kept our environment
            }
            long micros = Long.parseLong(usec.strip());
            return micros > 0 ? Duration.ofNanos(micros * 1000).dividedBy(2) : null;
        } catch (NumberFormatException e) {
            log.warn("ignoring WATCHDOG_USEC={} WATCHDOG_PID={}: not numbers", usec, watchdogPid);
            return null;
        }
    }

    public boolean enabled() {
        return transport != null;
    }

    /** The interval between watchdog pings, when systemd asked for them. */
    public Optional<Duration> watchdogInterval() {
        return Optional.ofNullable(watchdogPing);
    }

    /**
     * After each tick: {@code READY=1} after the first, {@code WATCHDOG=1} when half the watchdog period has passed,
     * and {@code STATUS=} when {@code summary} differs from the last one sent, in one datagram.
     *
     * @param now the monotonic clock, in nanoseconds
     * @param summary one line for {@code systemctl status}
     */
    public void ticked(long now, String summary) {
        if (transport == null) {
            return;
        }
        StringBuilder message = new StringBuilder();
        if (!ready) {
            message.append("READY=1\n");
        }
        boolean ping = watchdogPing != null && (!pinged || now - lastPing >= watchdogPing.toNanos());
        if (ping) {
            message.append("WATCHDOG=1\n");
        }
        String line = summary.replace('\n', ' ');
        if (!line.equals(status)) {
            message.append("STATUS=").append(line).append('\n');
        }
        if (message.length() == 0) {
            return;
        }
        if (send(message.toString())) {
            ready = true;
            if (ping) {
                pinged = true;
                lastPing = now;
            }
            status = line;
        }
    }

    /**
     * A reload starts: {@code RELOADING=1} with {@code MONOTONIC_USEC=}, which systemd 253 and later require for
     * {@code Type=notify-reload} and older ones ignore. {@link #reloaded()} must follow, whatever the outcome.
     *
     * @param monotonicNanos {@code CLOCK_MONOTONIC} in nanoseconds: {@link System#nanoTime()} on Linux
     */
    public void reloading(long monotonicNanos) {
        if (transport != null) {
            send("RELOADING=1\nMONOTONIC_USEC=" + monotonicNanos / 1000 + "\n");
        }
    }

    /** A reload ended, applied or not: {@code READY=1}, the service is back to active. */
    public void reloaded() {
        if (transport != null) {
            send("READY=1\n");
        }
    }

    /** Stopping: systemd shows "deactivating" and stops expecting watchdog pings. */
    public void stopping() {
        if (transport != null) {
            send("STOPPING=1\n");
        }
    }

    private synchronized boolean send(String message) {
        try {
            transport.send(message.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) { // a notification lost must never cost a tick
            if (!failing) {
                log.warn("cannot notify systemd over {}: {}; logging again when it works", socketName, e.getMessage());
                failing = true;
            }
            return false;
        }
        if (failing) {
            log.info("notifying systemd over {} works again", socketName);
            failing = false;
        }
        return true;
    }
}
