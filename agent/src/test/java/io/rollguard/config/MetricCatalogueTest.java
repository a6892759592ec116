package io.rollguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.store.MetricFamily;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The catalogue of series names rules may read cannot drift from what the agent writes: every family any class
 * declares ({@code static final MetricFamily}) is in it, and the README's Metrics section documents each of them.
 * (That each sampler writes exactly its catalogue entry is {@code HostSamplersTest}'s.)
 */
class MetricCatalogueTest {
    /** Maven compiles the agent's classes here, and runs its tests in the module directory. */
    private static final Path CLASSES = Path.of("target/classes");
    private static final Path README = Path.of("../README.md");

    @Test
    void everyDeclaredFamilyIsInTheCatalogue() throws Exception {
        Set<String> declared = declaredFamilies();

        assertThat(declared).as("families declared in %s", CLASSES.toAbsolutePath()).hasSizeGreaterThan(50);
        assertThat(MetricCatalogue.all()).containsAll(declared);
    }

    @Test
    void everyCatalogueNameIsDocumented() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int start = readme.indexOf("\n## Metrics\n");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end);

        List<String> undocumented = MetricCatalogue.all().stream().filter(name -> !section.contains("`" + name + "`"))
                .toList();
        assertThat(undocumented).as("catalogue names missing from the README's Metrics section").isEmpty();
    }

    private static Set<String> declaredFamilies() throws IOException, ReflectiveOperationException {
        Set<String> names = new TreeSet<>();
        List<String> classes;
        try (Stream<Path> files = Files.walk(CLASSES)) {
            classes = files.map(CLASSES::relativize).map(Path::toString).filter(f -> f.endsWith(".class"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.')).toList();
        }
        for (String className : classes) {
            Class<?> type = Class.forName(className, false, MetricCatalogueTest.class.getClassLoader());
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == MetricFamily.class) {
                    field.setAccessible(true);
                    names.add(((MetricFamily) field.get(null)).name());
                }
            }
        }
        return names;
    }
}
