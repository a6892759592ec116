package io.rollguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The bash completion the package and install.sh ship ({@code packaging/rollguard.bash-completion}, installed as
 * {@code /usr/share/bash-completion/completions/rollguard}) is picocli's for the command line as it is: a new command
 * or option fails this test until the file is regenerated with
 * {@code mvn -pl agent test -Dtest=BashCompletionTest -Drollguard.update-goldens=true}.
 */
class BashCompletionTest {
    private static final Path SHIPPED = Path.of("..", "packaging", "rollguard.bash-completion");

    @Test
    void theShippedCompletionIsTheCommandLines() throws Exception {
        String generated = Main.bashCompletion();
        if (Boolean.getBoolean("rollguard.update-goldens")) {
            Files.writeString(SHIPPED, generated, StandardCharsets.UTF_8);
        }

        assertThat(Files.readString(SHIPPED, StandardCharsets.UTF_8)).as("%s, regenerated as the class says", SHIPPED)
                .isEqualTo(generated);
        assertThat(generated).contains("complete -F _complete_rollguard", "deploy", "silence", "incident", "status")
                .as("a completion file is sourced: lintian's bash-completion-with-hashbang").doesNotStartWith("#!");
    }

    /** Real bash, the shipped file sourced: what TAB offers after {@code rollguard de} and {@code silence --}. */
    @Test
    void bashCompletesCommandsAndTheirOptions() throws Exception {
        Process bash = new ProcessBuilder("bash", "-c", """
                source "$1" 2>/dev/null
                COMP_WORDS=(rollguard de); COMP_CWORD=1; _complete_rollguard 2>/dev/null; echo "${COMPREPLY[*]}"
                COMP_WORDS=(rollguard silence --); COMP_CWORD=2; _complete_rollguard 2>/dev/null; echo "${COMPREPLY[*]}"
                """, "bash", SHIPPED.toAbsolutePath().toString()).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(bash.waitFor()).isZero();
        assertThat(output.lines()).containsExactly("deploy", "--all --lift --help --version --config --for --comment");
    }

    @Test
    void generateCompletionPrintsTheSame() {
        StringWriter out = new StringWriter();

        assertThat(Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "generate-completion")).isZero();

        assertThat(out.toString()).startsWith("#!/usr/bin/env bash\n").endsWith(Main.bashCompletion() + "\n");
    }
}
