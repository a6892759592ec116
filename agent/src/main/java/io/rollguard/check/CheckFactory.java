package io.rollguard.check;

import static java.util.Objects.requireNonNull;

import io.rollguard.config.CheckConfig;
import io.rollguard.config.check.CheckSpec;
import io.rollguard.config.check.CommandCheckSpec;
import io.rollguard.config.check.DiskCheckSpec;
import io.rollguard.config.check.HostCheckSpec;
import io.rollguard.config.check.HttpCheckSpec;
import io.rollguard.config.check.LogCheckSpec;
import io.rollguard.config.check.PathCheckSpec;
import io.rollguard.config.check.PortCheckSpec;
import io.rollguard.config.check.ProcessCheckSpec;
import io.rollguard.config.check.ShmCheckSpec;
import io.rollguard.config.check.SystemdCheckSpec;
import io.rollguard.config.check.TcpCheckSpec;
import io.rollguard.config.check.TlsCheckSpec;
import io.rollguard.process.ProgramLauncher;
import io.rollguard.sample.ListeningSockets;
import io.rollguard.sample.SharedMemorySegments;
import java.net.Socket;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** Builds the {@link Check} of each {@code [[check]]}, sharing what checks can share (the HTTP clients). */
public final class CheckFactory {
    private final Clock clock;
    private final LongSupplier totalMemory;
    private final IntSupplier logicalCpus;
    private final LogCheck.Mode logMode;
    private final ProgramLauncher launcher;
    private HttpClient verifyingClient;
    private HttpClient trustingClient;

    /**
     * @param totalMemory the host's physical memory in bytes, for {@code host} checks
     * @param logicalCpus the host's logical CPUs, for {@code host} checks
     */
    public CheckFactory(Clock clock, LongSupplier totalMemory, IntSupplier logicalCpus) {
        this(clock, totalMemory, logicalCpus, LogCheck.Mode.FOLLOW, ProgramLauncher.forHost());
    }

    private CheckFactory(Clock clock, LongSupplier totalMemory, IntSupplier logicalCpus, LogCheck.Mode logMode,
            ProgramLauncher launcher) {
        this.clock = requireNonNull(clock, "clock");
        this.totalMemory = requireNonNull(totalMemory, "totalMemory");
        this.logicalCpus = requireNonNull(logicalCpus, "logicalCpus");
        this.logMode = requireNonNull(logMode, "logMode");
        this.launcher = requireNonNull(launcher, "launcher");
    }

    /**
     * The same factory for checks that run once ({@code rollguard check}). Only log checks differ: with no earlier
     * run to follow the file from, they count the matches in the end of the file instead.
     */
    public CheckFactory forSingleRun() {
        return new CheckFactory(clock, totalMemory, logicalCpus, LogCheck.Mode.TAIL, launcher);
    }

    /** The factory of this host: its wall clock, and what OSHI says of its memory and CPUs. */
    public static CheckFactory forHost(SystemInfo system) {
        HardwareAbstractionLayer hardware = system.getHardware();
        return new CheckFactory(Clock.systemUTC(), () -> hardware.getMemory().getTotal(),
                () -> hardware.getProcessor().getLogicalProcessorCount());
    }

    public Check create(CheckConfig config) {
        Duration timeout = config.timeout();
        return config.spec().accept(new CheckSpec.Visitor<Check>() {
            @Override
            public Check http(HttpCheckSpec spec) {
                return new HttpCheck(spec, timeout, spec.tlsVerify() ? verifyingClient() : trustingClient());
            }

            @Override
            public Check tcp(TcpCheckSpec spec) {
                return new TcpCheck(spec, timeout);
            }

            @Override
            public Check command(CommandCheckSpec spec) {
                return new CommandCheck(spec, timeout, launcher);
            }

            @Override
            public Check path(PathCheckSpec spec) {
                return new PathCheck(spec, clock);
            }

            @Override
            public Check disk(DiskCheckSpec spec) {
                return new DiskCheck(spec);
            }

            @Override
            public Check host(HostCheckSpec spec) {
                return new HostCheck(spec, totalMemory, logicalCpus);
            }

            @Override
            public Check process(ProcessCheckSpec spec) {
                return new ProcessCheck(spec);
            }

            @Override
            public Check tls(TlsCheckSpec spec) {
                return new TlsCheck(spec, timeout, clock);
            }

            @Override
            public Check port(PortCheckSpec spec) {
                return new PortCheck(spec, ListeningSockets.forHost());
            }

            @Override
            public Check shm(ShmCheckSpec spec) {
                return new ShmCheck(spec, SharedMemorySegments.forHost());
            }

            @Override
            public Check log(LogCheckSpec spec) {
                return new LogCheck(spec, logMode, System::nanoTime);
            }

            @Override
            public Check systemd(SystemdCheckSpec spec) {
                return SystemdCheck.forHost(spec, timeout, launcher);
            }
        });
    }

    private HttpClient verifyingClient() {
        if (verifyingClient == null) {
            verifyingClient = client(null);
        }
        return verifyingClient;
    }

    /** For {@code tls_verify = false}: an endpoint with a self-signed certificate, checked on purpose. */
    private HttpClient trustingClient() {
        if (trustingClient == null) {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new X509TrustManager[] {new TrustEverything()}, new SecureRandom());
                trustingClient = client(context);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK has no TLS", e);
            }
        }
        return trustingClient;
    }

    private static HttpClient client(SSLContext context) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10));
        if (context != null) {
            builder.sslContext(context);
        }
        return builder.build();
    }

    /**
     * Accepts any certificate, for any host name: only used where the configuration says tls_verify = false. It is an
     * extended trust manager because JSSE wraps a plain one in a host name check of its own.
     */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
