package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "0.0.0.0:9730, 0.0.0.0, 9730, 0.0.0.0:9730",
        "127.0.0.1:0, 127.0.0.1, 0, 127.0.0.1:0",
        "localhost:8080, localhost, 8080, localhost:8080",
        "[::1]:9730, ::1, 9730, [::1]:9730",
        ":9730, 0.0.0.0, 9730, 0.0.0.0:9730"
    })
    void parses(String text, String host, int port, String printed) {
        HostPort parsed = HostPort.parse(text);
        assertThat(parsed).isEqualTo(new HostPort(host, port));
        assertThat(parsed.toString()).isEqualTo(printed);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"9730", "host", "host:", "host:port", "::1:9730", "[::1]9730", ":", "a:-1", "a:123456"})
    void rejectsMalformed(String text) {
        assertThatThrownBy(() -> HostPort.parse(text))
                .hasMessage("expected host:port such as \"0.0.0.0:9730\", \"127.0.0.1:0\" or \"[::1]:9730\", got \""
                        + text + "\"");
    }

    @org.junit.jupiter.api.Test
    void rejectsPortsAboveTheRange() {
        assertThatThrownBy(() -> HostPort.parse("host:65536")).hasMessage("port must be between 0 and 65535, got 65536");
    }
}
