package io.rollguard.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.rollguard.sample.ProcessFiles.Stat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProcessFilesTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("statLines")
    void parsesStat(String name, String line, Optional<Stat> expected) {
        assertThat(ProcessFiles.parseStat(line)).isEqualTo(expected);
    }

    static Stream<Arguments> statLines() {
        String tail = " S 1 812 812 0 -1 4194560 3532 0 0 0 1250 375 0 0 20 0 7 0 4242 236027904 9321"
                + " 18446744073709551615 1 1 0 0 0 0 0 16781312 16386 0 0 0 17 1 0 0 0 0 0\n";
        return Stream.of(
                arguments("plain", "812 (python3)" + tail,
                        Optional.of(new Stat(812, "python3", 'S', 1625, 7, 4242))),
                arguments("spaces and parentheses in the command", "812 (my (odd) app) x)" + tail,
                        Optional.of(new Stat(812, "my (odd) app) x", 'S', 1625, 7, 4242))),
                arguments("empty command", "812 ()" + tail, Optional.of(new Stat(812, "", 'S', 1625, 7, 4242))),
                arguments("real line of a kernel thread", """
                        2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 13 0 0 20 0 1 0 1 0 0 18446744073709551615 0 0 0 0\
                         0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
                        """, Optional.of(new Stat(2, "kthreadd", 'S', 13, 1, 1))),
                arguments("a zombie", "812 (python3) Z" + tail.substring(2),
                        Optional.of(new Stat(812, "python3", 'Z', 1625, 7, 4242))),
                arguments("empty", "", Optional.empty()),
                arguments("no parentheses", "812 python3" + tail, Optional.empty()),
                arguments("no pid", "(python3)" + tail, Optional.empty()),
                arguments("truncated after the command", "812 (python3) S 1 812 812 0 -1", Optional.empty()),
                arguments("a field that is not a number", "812 (python3) S 1 812 812 0 -1 4194560 3532 0 0 0 abc 375"
                        + " 0 0 20 0 7 0 4242 236027904 9321", Optional.empty()),
                arguments("pid not a number", "eight (python3)" + tail, Optional.empty()),
                arguments("two spaces between fields", "812 (python3)  S" + tail.substring(2), Optional.empty()),
                arguments("a state of two letters", "812 (python3) SS" + tail.substring(2), Optional.empty()),
                arguments("a negative time", "812 (python3) S 1 812 812 0 -1 4194560 3532 0 0 0 -5 375 0 0 20 0 7 0"
                        + " 4242 236027904 9321", Optional.empty()),
                arguments("ends at the start time", "812 (python3) S 1 812 812 0 -1 4194560 3532 0 0 0 1250 375 0 0"
                        + " 20 0 7 0 4242", Optional.of(new Stat(812, "python3", 'S', 1625, 7, 4242))),
                arguments("ends before the start time", "812 (python3) S 1 812 812 0 -1 4194560 3532 0 0 0 1250 375"
                        + " 0 0 20 0 7 0", Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statuses")
    void parsesResidentMemory(String name, String status, OptionalLong expected) {
        assertThat(ProcessFiles.parseResidentBytes(status)).isEqualTo(expected);
    }

    static Stream<Arguments> statuses() {
        return Stream.of(
                arguments("a process", """
                        Name:\tpython3
                        State:\tS (sleeping)
                        VmHWM:\t   11960 kB
                        VmRSS:\t    9744 kB
                        RssAnon:\t    3900 kB
                        Threads:\t7
                        """, OptionalLong.of(9744L * 1024)),
                arguments("a kernel thread has no VmRSS", """
                        Name:\tkthreadd
                        State:\tS (sleeping)
                        Threads:\t1
                        """, OptionalLong.empty()),
                arguments("the first line", "VmRSS:\t12 kB\nThreads:\t1\n", OptionalLong.of(12L * 1024)),
                arguments("the last line, without newline", "Name:\tx\nVmRSS:\t12 kB", OptionalLong.of(12L * 1024)),
                arguments("a look-alike key", "Name:\tx\nXVmRSS:\t12 kB\n", OptionalLong.empty()),
                arguments("empty", "", OptionalLong.empty()),
                arguments("no unit", "VmRSS:\t9744\n", OptionalLong.empty()),
                arguments("not a number", "VmRSS:\tlots kB\n", OptionalLong.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandLines")
    void joinsCommandLineArguments(String name, String cmdline, String expected) {
        assertThat(ProcessFiles.parseCommandLine(cmdline)).isEqualTo(expected);
    }

    static Stream<Arguments> commandLines() {
        return Stream.of(
                arguments("arguments end in NUL", "python3\0-m\0src.main\0", "python3 -m src.main"),
                arguments("an argument with a space", "sh\0-c\0exec sleep 1\0", "sh -c exec sleep 1"),
                arguments("an empty argument", "app\0\0--flag\0", "app  --flag"),
                arguments("rewritten by setproctitle, no NUL", "nginx: worker process", "nginx: worker process"),
                arguments("rewritten, padded with NULs", "postgres: checkpointer\0\0\0\0", "postgres: checkpointer"),
                arguments("kernel thread or zombie", "", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pidFiles")
    void readsPidFiles(String name, String content, OptionalInt expected) {
        assertThat(ProcessFiles.parsePidFile(content)).isEqualTo(expected);
    }

    static Stream<Arguments> pidFiles() {
        return Stream.of(
                arguments("with newline", "4242\n", OptionalInt.of(4242)),
                arguments("without newline", "4242", OptionalInt.of(4242)),
                arguments("blanks around", "  4242 \t\n", OptionalInt.of(4242)),
                arguments("only the first line counts", "4242\nstarted by deploy.sh\n", OptionalInt.of(4242)),
                arguments("empty: written but not yet filled", "", OptionalInt.empty()),
                arguments("blank line", "\n", OptionalInt.empty()),
                arguments("zero", "0\n", OptionalInt.empty()),
                arguments("negative", "-4242\n", OptionalInt.empty()),
                arguments("two numbers", "42 43\n", OptionalInt.empty()),
                arguments("not a number", "backend\n", OptionalInt.empty()),
                arguments("too large", "99999999999\n", OptionalInt.empty()));
    }

    @Test
    void readsCgroupProcesses() {
        assertThat(ProcessFiles.parseCgroupProcesses("""
                812
                813

                901
                """)).containsExactly(812, 813, 901);
        assertThat(ProcessFiles.parseCgroupProcesses("")).isEmpty();
        assertThat(ProcessFiles.parseCgroupProcesses("812\nnot a pid\n-3\n813")).containsExactly(812, 813);
    }

    @Test
    void readsUptimeAndBootTime() {
        assertThat(ProcessFiles.parseUptime("975.53 1626.16\n")).isEqualTo(975.53);
        assertThat(ProcessFiles.parseUptime("")).isNaN();
        assertThat(ProcessFiles.parseUptime("soon\n")).isNaN();

        assertThat(ProcessFiles.parseBootTime("""
                cpu  2255 34 2290 22625563 6290 127 456 0 0 0
                intr 114930548 113199788 3 0 5 263 0 4
                ctxt 1990473
                btime 1795383282
                processes 26442
                """)).hasValue(1795383282L);
        assertThat(ProcessFiles.parseBootTime("cpu  2255 34 2290\n")).isEmpty();
        assertThat(ProcessFiles.parseBootTime("btime soon\n")).isEmpty();
    }

    @Test
    void knowsPidsAmongProcEntries() {
        List<String> names = List.of("1", "812", "2147483647", "self", "sys", "0", "012", "2147483648", "", "1a");

        assertThat(names.stream().map(ProcessFiles::parsePid).filter(OptionalInt::isPresent)
                .mapToInt(OptionalInt::getAsInt)).containsExactly(1, 812, 2147483647);
    }
}
