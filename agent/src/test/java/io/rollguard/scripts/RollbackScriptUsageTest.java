package io.rollguard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.scripts.Script.Result;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every rollback script shares: --help, and exit status 2 for a command line it does not understand. */
class RollbackScriptUsageTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"symlink.sh", "git.sh", "docker-compose.sh"})
    void helpAndUsageErrors(String name) throws Exception {
        Result help = Script.of("rollback/" + name).run("--help");
        Result unknown = Script.of("rollback/" + name).run("--bogus");
        Result missingValue = Script.of("rollback/" + name).run("--to");

        assertThat(help.exitCode()).isZero();
        assertThat(help.output()).startsWith("Usage: " + name + " ").contains("--dry-run");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.output()).isEqualTo("unknown option --bogus (see --help)\n");
        assertThat(missingValue.exitCode()).as(missingValue.output()).isNotZero();
        assertThat(missingValue.output()).contains("--to needs a");
    }
}
