package io.rollguard.config.check;

/** The settings of one check type. A new type breaks every visitor at compile time, so none forgets it. */
public sealed interface CheckSpec
        permits HttpCheckSpec, TcpCheckSpec, CommandCheckSpec, PathCheckSpec, DiskCheckSpec, HostCheckSpec,
        ProcessCheckSpec, TlsCheckSpec, PortCheckSpec, ShmCheckSpec, LogCheckSpec, SystemdCheckSpec {
    /** The {@code type} key that selects it, such as {@code http}. */
    String type();

    <R> R accept(Visitor<R> visitor);

    /** One method per check type. */
    interface Visitor<R> {
        R http(HttpCheckSpec spec);

        R tcp(TcpCheckSpec spec);

        R command(CommandCheckSpec spec);

        R path(PathCheckSpec spec);

        R disk(DiskCheckSpec spec);

        R host(HostCheckSpec spec);

        R process(ProcessCheckSpec spec);

        R tls(TlsCheckSpec spec);

        R port(PortCheckSpec spec);

        R shm(ShmCheckSpec spec);

        R log(LogCheckSpec spec);

        R systemd(SystemdCheckSpec spec);
    }
}
