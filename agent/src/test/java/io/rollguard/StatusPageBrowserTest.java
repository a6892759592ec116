package io.rollguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page of the real agent in a real browser: headless Chromium (Debian's {@code chromium}) renders it,
 * takes a screenshot and reports no console message (a CSP violation or a script error would be one). Skipped,
 * saying so, where Chromium is not installed.
 *
 * <p>{@code -Dstatus.screenshot=PATH} copies the screenshot to PATH (the README's {@code docs/status-page.png});
 * {@code -Dstatus.ticks=N} lets the agent tick N seconds first, for longer sparklines.
 */
class StatusPageBrowserTest {
    private static final int WIDTH = 1200;
    private static final int HEIGHT = 1600;

    @TempDir
    static Path dir;
    private static Path chromium;
    private static StatusPageAgent agent;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> found = chromium();
        assumeTrue(found.isPresent(), "chromium is not installed (Debian package chromium): the browser test is "
                + "skipped");
        chromium = found.get();
        agent = StatusPageAgent.start(dir, Integer.getInteger("status.ticks", 5));
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private static Optional<Path> chromium() {
        for (String directory : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(directory, "chromium");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** What one headless run printed: its standard output, and the console messages from its log. */
    private record Run(String stdout, List<String> console) {}

    private static Run run(String url, String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "profile");
        Path stdout = dir.resolve(profile.getFileName() + ".out");
        Path stderr = dir.resolve(profile.getFileName() + ".err");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + profile,
                "--enable-logging=stderr", "--v=0"));
        if (java.util.Arrays.stream(extra).noneMatch(argument -> argument.startsWith("--window-size="))) {
            command.add("--window-size=" + WIDTH + "," + HEIGHT);
        }
        command.addAll(List.of(extra));
        command.add(url);
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s: " + command);
        }
        assertThat(process.exitValue()).as("chromium's exit code; its log:\n%s", Files.readString(stderr))
                .isZero();
        List<String> console = Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
                .filter(line -> line.contains(":CONSOLE") || line.contains("Uncaught")).toList();
        return new Run(Files.readString(stdout), console);
    }

    @Test
    void rendersWithoutAConsoleMessageIntoAScreenshot() throws Exception {
        Path png = dir.resolve("status-page.png");

        Run run = run(agent.base().resolve("/").toString(), "--screenshot=" + png);

        assertThat(run.console()).as("console messages").isEmpty();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(WIDTH);
        assertThat(image.getHeight()).isEqualTo(HEIGHT);
        assertThat(distinctColours(image)).as("colours in the screenshot: a page, not a blank").isGreaterThan(10);
        String target = System.getProperty("status.screenshot");
        if (target != null && !target.isBlank()) {
            Files.copy(png, Path.of(target), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 7) {
            for (int x = 0; x < image.getWidth(); x += 7) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    @Test
    void theBrowsersDomHasEverySectionAndTheHostileTextAsText() throws Exception {
        Run run = run(agent.base().resolve("/").toString(), "--dump-dom");

        assertThat(run.console()).as("console messages").isEmpty();
        assertThat(run.stdout()).contains("<section id=\"host\">", "<section id=\"checks\">",
                "<section id=\"rules\">", "<section id=\"deployment\">", "<section id=\"events\">", "<polyline")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script");
    }

    /**
     * At a phone's 390 px no word breaks in the middle ("expecte d 2xx"): a word wraps whole or after a hyphen or a
     * slash, and only one wider than its box by itself (a long selector, a URL) may be split anywhere. The page as the agent serves it, with a script
     * added that finds every word laid out on two lines (the page's own CSP allows no script, so the copy is
     * opened from a file), run by Chromium at 390 px.
     */
    @Test
    void atPhoneWidthNoWordBreaksInTheMiddle() throws Exception {
        String html = agent.send("GET", "/").body().replaceAll("<meta http-equiv=\"refresh\"[^>]*>", "");
        String probe = """
                <script>
                const broken = [];
                const canvas = document.createElement('canvas').getContext('2d');
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                while (walker.nextNode()) {
                  const node = walker.currentNode;
                  const box = node.parentElement;
                  if (!box || box.closest('script,style,svg')) continue;
                  const style = getComputedStyle(box);
                  canvas.font = style.font;
                  const words = /\\S+/g;
                  let word;
                  while ((word = words.exec(node.textContent)) !== null) {
                    const container = box.closest('td,th,li,p,div,section,h1,h2,h3,figcaption') || box;
                    if (canvas.measureText(word[0]).width >= container.clientWidth) {
                      continue; // wider than its box by itself: it has to be split somewhere
                    }
                    // Where the word's characters move to the next line: fine after a hyphen or a slash (where
                    // the browser may break "re-armed" or a path), broken anywhere else.
                    let top = null;
                    for (let i = 0; i < word[0].length; i++) {
                      const range = document.createRange();
                      range.setStart(node, word.index + i);
                      range.setEnd(node, word.index + i + 1);
                      const rect = Array.from(range.getClientRects()).find(r => r.width > 0);
                      if (!rect) continue;
                      if (top !== null && Math.abs(rect.top - top) > 2 && !'-/'.includes(word[0][i - 1])) {
                        broken.push(word[0]);
                        break;
                      }
                      top = rect.top;
                    }
                  }
                }
                document.body.setAttribute('data-broken', JSON.stringify(broken));
                </script>
                """;
        Path page = Files.writeString(dir.resolve("narrow.html"), html.replace("</body>", probe + "</body>"));

        Run run = run(page.toUri().toString(), "--window-size=390,4000", "--dump-dom");

        java.util.regex.Matcher found = java.util.regex.Pattern.compile("data-broken=\"([^\"]*)\"")
                .matcher(run.stdout());
        assertThat(found.find()).as("the probe ran").isTrue();
        assertThat(found.group(1).replace("&quot;", "\"")).as("words broken in the middle at 390 px").isEqualTo("[]");
    }

    /** The console check itself: a page that logs an error and throws is caught by it. */
    @Test
    void theConsoleCheckSeesAPageThatFails() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "<!DOCTYPE html><p>x</p><script>console.error('boom'); missing();</script>"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Run run = run("http://127.0.0.1:" + server.getAddress().getPort() + "/", "--dump-dom");

            assertThat(run.console()).anySatisfy(line -> assertThat(line).contains("boom"))
                    .anySatisfy(line -> assertThat(line).contains("Uncaught ReferenceError"));
        } finally {
            server.stop(0);
        }
    }
}
