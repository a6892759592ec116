package io.rollguard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollguard.scripts.Script.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/rollback/docker-compose.sh} with a fake {@code docker} first on PATH, which records its arguments and
 * the .env it saw when called (seed Device Operations API).
 */
class DockerComposeRollbackScriptTest {
    @TempDir
    Path dir;

    private Path project;
    private Path bin;
    private Path calls;

    @BeforeEach
    void project() throws IOException {
        project = dir.resolve("device-operations");
        Files.createDirectories(project);
        Files.writeString(project.resolve(".env"), "COMPOSE_PROJECT_NAME=devops\nIMAGE_TAG=v3\nLOG_LEVEL=info\n");
        Files.writeString(project.resolve(".rollguard-tags"), "v1\nv2\nv3\n");
        calls = dir.resolve("docker-calls.log");
        bin = dir.resolve("bin");
        fakeDocker(0);
    }

    @Test
    void theTagDeployedBeforeIsSetAndComposeRecreates() throws Exception {
        Result result = compose().env("ROLLGUARD_RULE", "health-failing").run("--project-dir", project.toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readString(project.resolve(".env")))
                .isEqualTo("COMPOSE_PROJECT_NAME=devops\nIMAGE_TAG=v2\nLOG_LEVEL=info\n");
        assertThat(Files.readAllLines(calls)).containsExactly(
                "compose --project-directory " + project + " --env-file " + project.resolve(".env") + " up -d",
                "saw IMAGE_TAG=v2");
        assertThat(result.output()).contains("rule health-failing", "set IMAGE_TAG=v2 in " + project.resolve(".env")
                + " (was v3)", "rolled back to v2");
    }

    @Test
    void aSecondRollbackGoesBackOneMore() throws Exception {
        assertThat(compose().run("--project-dir", project.toString()).exitCode()).isZero();

        Result second = compose().run("--project-dir", project.toString());

        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(Files.readString(project.resolve(".env"))).contains("IMAGE_TAG=v1\n");
    }

    @Test
    void toServiceVariableAndEnvFileAreOptions() throws Exception {
        Path envFile = Files.writeString(project.resolve("prod.env"), "API_TAG=\"2.0.1\"\n");

        Result result = compose().in(project).run("--to", "1.9.7", "--variable", "API_TAG", "--env-file",
                envFile.toString(), "--service", "api");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readString(envFile)).isEqualTo("API_TAG=1.9.7\n");
        assertThat(Files.readAllLines(calls).get(0)).isEqualTo("compose --project-directory " + project.toRealPath()
                + " --env-file " + envFile + " up -d api");
        assertThat(result.output()).contains("(was 2.0.1)");
    }

    @Test
    void dryRunChangesNothing() throws Exception {
        Result result = compose().run("--project-dir", project.toString(), "--dry-run");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Files.readString(project.resolve(".env"))).contains("IMAGE_TAG=v3\n");
        assertThat(calls).doesNotExist();
        assertThat(result.output()).contains("would set IMAGE_TAG=v2 in " + project.resolve(".env") + " (now v3)",
                "would run: docker compose --project-directory " + project, "dry run: nothing changed");
    }

    @Test
    void aFailingComposeFails() throws Exception {
        fakeDocker(1);

        Result result = compose().run("--project-dir", project.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("rollback failed: docker compose up exited with status 1");
    }

    @Test
    void noEarlierTagFails() throws Exception {
        Files.writeString(project.resolve(".rollguard-tags"), "v3\n");

        Result result = compose().run("--project-dir", project.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("rollback failed: no tag before v3 in " + project.resolve(".rollguard-tags"));
        assertThat(Files.readString(project.resolve(".env"))).contains("IMAGE_TAG=v3\n");
        assertThat(calls).doesNotExist();
    }

    @Test
    void withoutATagsFileItNeedsTo() throws Exception {
        Files.delete(project.resolve(".rollguard-tags"));

        Result result = compose().run("--project-dir", project.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains(".rollguard-tags does not exist; pass --to TAG");
    }

    private Script compose() {
        return Script.of("rollback/docker-compose.sh").pathFirst(bin);
    }

    private void fakeDocker(int exitCode) throws IOException {
        Script.executable(bin.resolve("docker"), """
                printf '%%s\\n' "$*" >> '%1$s'
                echo "saw $(grep '^IMAGE_TAG=' '%2$s')" >> '%1$s'
                exit %3$d
                """.formatted(calls, project.resolve(".env"), exitCode));
    }
}
