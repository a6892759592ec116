package io.rollguard.sample;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test resources: captured {@code /proc} trees and the golden files of what samplers write from them. */
final class Fixtures {
    private Fixtures() {}

    static Path path(String resource) {
        URL url = Fixtures.class.getResource(resource);
        if (url == null) {
            throw new IllegalArgumentException("no test resource " + resource);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("test resource " + resource + " is not a file: " + url, e);
        }
    }

    static String text(String resource) throws IOException {
        return Files.readString(path(resource), StandardCharsets.UTF_8);
    }
}
