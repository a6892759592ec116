package io.rollguard.config.check;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A requirement such as {@code >=3.10} on a dotted version number, compared component by component. */
public record VersionRequirement(Operator operator, List<Integer> version) {
    private static final Pattern REQUIREMENT = Pattern.compile("(>=|<=|==|!=|>|<|=)?\\s*([0-9]+(?:\\.[0-9]+)*)");
    private static final Pattern VERSION = Pattern.compile("[0-9]+(?:\\.[0-9]+)+|[0-9]+");

    /** How the found version must compare with the required one. */
    public enum Operator {
        AT_LEAST(">="), ABOVE(">"), AT_MOST("<="), BELOW("<"), EQUAL("=="), NOT_EQUAL("!=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        boolean holds(int comparison) {
            switch (this) {
                case AT_LEAST:
                    return comparison >= 0;
                case ABOVE:
                    return comparison > 0;
                case AT_MOST:
                    return comparison <= 0;
                case BELOW:
                    return comparison < 0;
                case EQUAL:
                    return comparison == 0;
                case NOT_EQUAL:
                    return comparison != 0;
            }
            throw new AssertionError(this);
        }
    }

    public VersionRequirement {
        requireNonNull(operator, "operator");
        version = List.copyOf(version);
    }

    /**
     * Parses {@code >=3.10}, {@code <2}, {@code ==1.2.3}; a bare version means {@code >=}.
     *
     * @throws IllegalArgumentException saying what was expected
     */
    public static VersionRequirement parse(String text) {
        Matcher matcher = REQUIREMENT.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected a version requirement such as \">=3.10\", got \"" + text + "\"");
        }
        String symbol = matcher.group(1) == null ? ">=" : matcher.group(1).equals("=") ? "==" : matcher.group(1);
        Operator operator = null;
        for (Operator candidate : Operator.values()) {
            if (candidate.symbol.equals(symbol)) {
                operator = candidate;
            }
        }
        return new VersionRequirement(operator, components(matcher.group(2)));
    }

    /** The first version number in {@code text}, such as 3.11.4 in "Python 3.11.4". */
    public static Optional<List<Integer>> findVersion(String text) {
        Matcher matcher = VERSION.matcher(text);
        return matcher.find() ? Optional.of(components(matcher.group())) : Optional.empty();
    }

    public boolean isMetBy(List<Integer> found) {
        return operator.holds(compare(found, version));
    }

    /** Compares component by component; a missing component counts as 0, so 3.10 == 3.10.0. */
    static int compare(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            int left = i < a.size() ? a.get(i) : 0;
            int right = i < b.size() ? b.get(i) : 0;
            if (left != right) {
                return Integer.compare(left, right);
            }
        }
        return 0;
    }

    private static List<Integer> components(String dotted) {
        List<Integer> parts = new ArrayList<>();
        for (String part : dotted.split("\\.")) {
            parts.add(Integer.parseInt(part));
        }
        return parts;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(operator.symbol);
        for (int i = 0; i < version.size(); i++) {
            text.append(i == 0 ? "" : ".").append(version.get(i));
        }
        return text.toString();
    }
}
