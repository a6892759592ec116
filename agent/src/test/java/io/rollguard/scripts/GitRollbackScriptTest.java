package io.rollguard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.scripts.Script.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scripts/rollback/git.sh} against a real git repository in a temporary directory (seed V_Track). */
class GitRollbackScriptTest {
    @TempDir
    Path dir;

    private Path repo;
    private int commits;

    @BeforeEach
    void repository() throws Exception {
        repo = dir.resolve("app");
        Files.createDirectories(repo);
        git("init", "-q", "-b", "main");
        commit("v1");
        git("tag", "v1");
        commit("v2");
        git("tag", "v2");
    }

    @Test
    void headAtATagGoesBackToThePreviousTag() throws Exception {
        Path restarts = dir.resolve("restarts.log");
        Path restart = Script.executable(dir.resolve("bin/restart"), "echo \"restart $*\" >> '" + restarts + "'\n");

        Result result = gitSh().env("ROLLGUARD_RULE", "backend-down")
                .run("--restart-cmd", restart.toString(), "backend");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readString(repo.resolve("app.txt"))).isEqualTo("v1\n");
        assertThat(result.output()).contains("rule backend-down", "checked out v1 (the previous tag)",
                "restarting: " + restart + " backend", "rolled back to v1");
        assertThat(Files.readAllLines(restarts)).containsExactly("restart backend");
    }

    @Test
    void commitsAfterTheLastTagGoBackToThatTag() throws Exception {
        commit("v3-untagged");

        Result result = gitSh().run("--repo", repo.toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readString(repo.resolve("app.txt"))).isEqualTo("v2\n");
        assertThat(result.output()).contains("not restarting anything");
    }

    @Test
    void theNewestBackupBranchWins() throws Exception {
        git("branch", "backup-pre-refactor-20260101-120000", "v1");
        commit("v3");
        git("branch", "backup-pre-refactor-20260301-120000");   // the newest commit: the newest backup
        commit("v4");

        Result result = gitSh().run("--repo", repo.toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readString(repo.resolve("app.txt"))).isEqualTo("v3\n");
        assertThat(git("rev-parse", "--abbrev-ref", "HEAD")).isEqualTo("backup-pre-refactor-20260301-120000");
        assertThat(result.output()).contains("checked out backup-pre-refactor-20260301-120000 (the newest backup branch)");
    }

    @Test
    void localChangesAreStashedFirst() throws Exception {
        Files.writeString(repo.resolve("app.txt"), "edited on the server\n");
        Files.writeString(repo.resolve("untracked.txt"), "new\n");

        Result result = gitSh().run("--repo", repo.toString(), "--to", "v1");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readString(repo.resolve("app.txt"))).isEqualTo("v1\n");
        assertThat(repo.resolve("untracked.txt")).doesNotExist();
        assertThat(git("stash", "list")).contains("rollguard: before rolling back to v1");
    }

    @Test
    void dryRunChangesNothing() throws Exception {
        Files.writeString(repo.resolve("app.txt"), "edited\n");
        String head = git("rev-parse", "HEAD");

        Result result = gitSh().run("--repo", repo.toString(), "--dry-run", "--restart-cmd", "false");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(git("rev-parse", "HEAD")).isEqualTo(head);
        assertThat(Files.readString(repo.resolve("app.txt"))).isEqualTo("edited\n");
        assertThat(git("stash", "list")).isEmpty();
        assertThat(result.output()).contains("would stash the local changes", "would check out v1 (the previous tag",
                "would run: false", "dry run: nothing changed");
    }

    @Test
    void nothingToGoBackToFails() throws Exception {
        git("tag", "-d", "v1");

        Result result = gitSh().run("--repo", repo.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("rollback failed: no backup-* branch, and no tag before v2");
    }

    @Test
    void anUnknownRefFails() throws Exception {
        Result result = gitSh().run("--repo", repo.toString(), "--to", "v9");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("rollback failed: v9 is not a branch, tag or commit here");
    }

    @Test
    void aFailingRestartFails() throws Exception {
        Result result = gitSh().run("--repo", repo.toString(), "--restart-cmd", "false");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("checked out v1", "rollback failed: the restart command exited with status 1");
    }

    private Script gitSh() {
        return Script.of("rollback/git.sh").in(repo).env("GIT_CONFIG_NOSYSTEM", "1").env("HOME", dir.toString());
    }

    private void commit(String content) throws Exception {
        Files.writeString(repo.resolve("app.txt"), content + "\n");
        git("add", "app.txt");
        // Commit dates a minute apart, so that "newest" never depends on how fast the test runs.
        commits++;
        git("-c", "user.name=test", "-c", "user.email=test@example.org", "commit", "-q", "-m", content,
                "--date", "2026-01-01T00:" + String.format("%02d", commits) + ":00Z");
    }

    private String git(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        builder.environment().put("HOME", dir.toString());
        builder.environment().put("GIT_COMMITTER_DATE", "2026-01-01T00:" + String.format("%02d", commits) + ":00Z");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("git %s: %s", String.join(" ", arguments), output).isZero();
        return output;
    }
}
