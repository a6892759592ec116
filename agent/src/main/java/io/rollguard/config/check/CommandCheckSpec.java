package io.rollguard.config.check;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code type = "command"}: a program run as argv (no shell), whose exit code and output must meet expectations.
 *
 * @param expectOutput a regex its output (stdout and stderr) must contain a match of; null for none
 * @param expectVersion a requirement such as {@code >=3.10} on the first version number in its output; null for none
 * @param valueRegex the first group of its first match in the output is the check's value; null for none
 */
public record CommandCheckSpec(List<String> run, int expectExit, Pattern expectOutput,
        VersionRequirement expectVersion, Pattern valueRegex) implements CheckSpec {
    public CommandCheckSpec {
        run = List.copyOf(run);
    }

    @Override
    public String type() {
        return "command";
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.command(this);
    }
}
