package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IgnoredSignalsTest {
    static Stream<Arguments> statuses() {
        return Stream.of(
                Arguments.arguments("nothing ignored", "SigIgn:\t0000000000000000", false),
                Arguments.arguments("under nohup: SIGHUP, bit 0", "SigIgn:\t0000000000000001", true),
                Arguments.arguments("a shell's background job: SIGINT and SIGQUIT", "SigIgn:\t0000000000000006", false),
                Arguments.arguments("nohup in a background job", "SigIgn:\t0000000000000007", true),
                Arguments.arguments("every bit", "SigIgn:\tffffffffffffffff", true),
                Arguments.arguments("no SigIgn line", "SigCgt:\t0000000000000001", false),
                Arguments.arguments("not hexadecimal", "SigIgn:\tnohup", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statuses")
    void sighupIsBitZeroOfSigIgn(String name, String line, boolean ignored) {
        List<String> status = List.of("Name:\tjava", "SigQ:\t0/96367", "SigBlk:\t0000000000000000", line,
                "Threads:\t20");

        assertThat(IgnoredSignals.hangupIgnored(status)).isEqualTo(ignored);
    }

    @Test
    void anUnreadableStatusIsNotIgnored() {
        assertThat(IgnoredSignals.hangupIgnored(Path.of("/nonexistent/status"))).isFalse();
    }
}
