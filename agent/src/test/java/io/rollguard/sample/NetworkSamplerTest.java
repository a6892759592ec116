package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.sample.NetworkSampler.Interface;
import io.rollguard.store.SeriesWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NetworkSamplerTest {
    private static final Path FIXTURE = Fixtures.path("/fixtures/proc");

    @Test
    void parsesReceiveAndTransmitCountersAfterTheHeader() {
        List<String> lines = """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                  eth0: 1000 10 1 2 0 0 0 3 2000 20 4 5 0 0 0 0
                    lo:123456789012 7 0 0 0 0 0 0 123456789012 7 0 0 0 0 0 0
                """.lines().toList();

        assertThat(NetworkSampler.parse(lines)).containsExactly(
                new Interface("eth0", 1000, 10, 1, 2, 2000, 20, 4, 5),
                new Interface("lo", 123456789012L, 7, 0, 0, 123456789012L, 7, 0, 0));
    }

    @Test
    void skipsLinesWithoutEveryCounter() {
        assertThat(NetworkSampler.parse(List.of("  eth0: 1000 10 1 2", ""))).isEmpty();
    }

    static Stream<Arguments> interfaces() {
        return Stream.of(arguments("lo", true), arguments("eth0", true), arguments("ens3", true),
                arguments("docker0", true), arguments("br-3f2a9c", true), arguments("wg0", true),
                arguments("vethe2a1b7c", false), arguments("veth0", false));
    }

    @ParameterizedTest(name = "{0} reported: {1}")
    @MethodSource("interfaces")
    void reportsLoopbackButNotPerContainerVethPairs(String name, boolean reported) {
        assertThat(!NetworkSampler.EXCLUDED_INTERFACES.matcher(name).matches()).isEqualTo(reported);
    }

    @Test
    void writesTheCapturedFixtureAsTheGoldenFile() throws IOException {
        SeriesWriter out = new SeriesWriter();

        new NetworkSampler(FIXTURE).sample(out);

        assertThat(WrittenSeries.text(out)).isEqualTo(Fixtures.text("/golden/network.txt"));
    }

    @Test
    void readsTheRealHost() throws IOException {
        SeriesWriter out = new SeriesWriter();

        new NetworkSampler(Path.of("/proc")).sample(out);

        Map<String, Double> series = WrittenSeries.of(out);
        assertThat(WrittenSeries.families(out)).containsExactly("rollguard_network_receive_bytes_total",
                "rollguard_network_receive_drops_total", "rollguard_network_receive_errors_total",
                "rollguard_network_receive_packets_total", "rollguard_network_transmit_bytes_total",
                "rollguard_network_transmit_drops_total", "rollguard_network_transmit_errors_total",
                "rollguard_network_transmit_packets_total");
        assertThat(series).containsKey("rollguard_network_receive_bytes_total{interface=\"lo\"}")
                .allSatisfy((key, value) -> assertThat(value).as(key).isGreaterThanOrEqualTo(0.0));
    }
}
