package io.rollguard.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4 for tests: every line is a HELP, a TYPE or a well-formed
 * sample, and every sample belongs to a family announced by both HELP and TYPE before it.
 */
public final class ExpositionFormat {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .+");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(\\{(?:" + LABEL + ")(?:," + LABEL + ")*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?");

    /** One sample line, parsed. */
    public record Sample(String name, String labels, double value) {}

    private ExpositionFormat() {}

    /** Parses the text; throws {@link AssertionError} naming the first offending line. */
    public static List<Sample> parse(String text) {
        Set<String> helped = new LinkedHashSet<>();
        Map<String, String> typed = new HashMap<>();
        List<Sample> samples = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a newline");
        }
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            Matcher help = HELP.matcher(line);
            Matcher type = TYPE.matcher(line);
            Matcher sample = SAMPLE.matcher(line);
            if (help.matches()) {
                if (!helped.add(help.group(1))) {
                    throw new AssertionError("line " + (i + 1) + ": second HELP for " + help.group(1));
                }
            } else if (type.matches()) {
                if (typed.put(type.group(1), type.group(2)) != null) {
                    throw new AssertionError("line " + (i + 1) + ": second TYPE for " + type.group(1));
                }
            } else if (sample.matches()) {
                String family = family(sample.group(1), typed);
                if (!helped.contains(family) || !typed.containsKey(family)) {
                    throw new AssertionError("line " + (i + 1) + ": sample of " + family + " without HELP and TYPE: " + line);
                }
                samples.add(new Sample(sample.group(1), sample.group(2) == null ? "" : sample.group(2),
                        Double.parseDouble(sample.group(3).replace("Inf", "Infinity"))));
            } else {
                throw new AssertionError("line " + (i + 1) + " is not valid exposition format: " + line);
            }
        }
        return samples;
    }

    private static String family(String sampleName, Map<String, String> typed) {
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            String base = sampleName.endsWith(suffix) ? sampleName.substring(0, sampleName.length() - suffix.length()) : null;
            if (base != null && typed.containsKey(base)) {
                return base;
            }
        }
        return sampleName;
    }
}
