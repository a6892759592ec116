package io.rollguard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSetTest {
    @Test
    void orderOfPairsDoesNotMatter() {
        LabelSet a = LabelSet.of("mount", "/", "fstype", "ext4");
        LabelSet b = LabelSet.of(Map.of("fstype", "ext4", "mount", "/"));

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toString()).isEqualTo("{fstype=\"ext4\",mount=\"/\"}");
        assertThat(a.get("mount")).isEqualTo("/");
        assertThat(a.get("device")).isNull();
    }

    @Test
    void printsValuesEscapedAsPrometheusDoes() {
        assertThat(LabelSet.of("path", "C:\\dir \"x\"").toString()).isEqualTo("{path=\"C:\\\\dir \\\"x\\\"\"}");
    }

    @Test
    void rejectsOddPairsAndRepeatedNames() {
        assertThatThrownBy(() -> LabelSet.of("mount")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LabelSet.of("a", "1", "a", "2")).hasMessage("label a given twice");
    }

    @Test
    void rejectsNamesPrometheusWouldRefuse() {
        assertThatThrownBy(() -> LabelSet.of("mount-point", "/")).hasMessage("not a Prometheus label name: mount-point");
        assertThatThrownBy(() -> LabelSet.of("__name__", "x")).hasMessage("not a Prometheus label name: __name__");
    }
}
