package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar holds what its code needs at run time, though the pom trims what its dependencies pull in: a
 * {@code regressed(...)} comparison (the Mann-Whitney U test, the normal distribution behind its p-value) runs from
 * the jar alone, loaded apart from the test class path.
 */
class ShadedJarIT {
    @Test
    void theCanaryStatisticsRunFromTheJarAlone() throws Exception {
        Path jar = Path.of(System.getProperty("rollguard.jar", "target/rollguard.jar"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> parser = loader.loadClass("io.rollguard.rule.expr.ExpressionParser");
            Class<?> call = loader.loadClass("io.rollguard.rule.expr.RegressedCall");
            Class<?> comparison = loader.loadClass("io.rollguard.rule.expr.Comparison");
            assertThat(comparison.getClassLoader()).as("not the test class path's copy").isSameAs(loader);
            Object regressed = parser.getMethod("parseCondition", String.class).invoke(null,
                    "regressed(x, by = 10%)");
            double[] before = new double[60];
            double[] after = new double[60];
            for (int i = 0; i < 60; i++) {
                before[i] = 0.1 + (i % 7) / 100.0;
                after[i] = 0.2 + (i % 7) / 100.0;
            }
            Method of = comparison.getMethod("of", double[].class, double[].class, call);
            Object result = of.invoke(null, before, after, regressed);

            assertThat(comparison.getMethod("regressed").invoke(result)).isEqualTo(true);
            Map<?, ?> figures = (Map<?, ?>) comparison.getMethod("toMap").invoke(result);
            assertThat(((Number) figures.get("p")).doubleValue()).isLessThan(1e-10);
            assertThat(figures.get("shift_interval").toString()).startsWith("[0.09");
        }
    }
}
