package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

class HostSamplersTest {
    @Test
    void runsEverySamplerOnceUnderItsOwnName() {
        List<String> names = HostSamplers.create(new SystemInfo()).stream().map(Sampler::name).toList();

        // The store keys each sampler's series by its name: two samplers with one name would replace each other's.
        assertThat(names).doesNotHaveDuplicates().containsExactly("cpu", "memory", "filesystem", "shm", "ports");
    }
}
