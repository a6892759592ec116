package io.rollguard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one of the repository's shell scripts as a child process, the way an operator or the agent does. */
final class Script {
    static final Path SCRIPTS = Path.of("..", "scripts").toAbsolutePath().normalize();

    private final Path path;
    private final Map<String, String> environment = new HashMap<>();
    private final List<Path> pathPrefix = new ArrayList<>();
    private Path directory;

    private Script(Path path) {
        this.path = path;
    }

    static Script of(String relative) {
        Path path = SCRIPTS.resolve(relative);
        assertThat(path).as("script").isExecutable();
        return new Script(path);
    }

    /** A variable for the child; the ROLLGUARD_* of this JVM's own environment never leak in. */
    Script env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** A directory searched before the inherited PATH: where a test's fake docker or systemctl lives. */
    Script pathFirst(Path directory) {
        pathPrefix.add(directory);
        return this;
    }

    Script in(Path workingDirectory) {
        this.directory = workingDirectory;
        return this;
    }

    Result run(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(path.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().keySet().removeIf(name -> name.startsWith("ROLLGUARD_") || name.equals("DESTDIR"));
        for (Path first : pathPrefix) {
            builder.environment().put("PATH", first + ":" + builder.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        }
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s ends", path.getFileName()).isTrue();
        return new Result(process.exitValue(), output);
    }

    /** An executable shell script at {@code file}: a fake command for a test. */
    static Path executable(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    record Result(int exitCode, String output) {
    }
}
