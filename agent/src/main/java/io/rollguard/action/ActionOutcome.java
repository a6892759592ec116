package io.rollguard.action;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How one run of an action ended, for the journal and the rule engine.
 *
 * @param exitCode a program's exit status (128 + the signal when a signal ended it); null when no program ran to
 *     its end: a webhook, a dry run, a program that could not start
 * @param duration from start to end, retries and their waits included; zero when nothing ran
 * @param output the last {@link ProgramOutput#TAIL_BYTES} bytes of a program's output (standard output and error
 *     merged) as UTF-8, or a webhook's attempts, one line each
 * @param message one line for a person: {@code exit 3 after 1.2 s: database is locked}
 */
public record ActionOutcome(Result result, Integer exitCode, Duration duration, String output, String message) {
    public enum Result {
        /** The program exited 0, or the webhook answered 2xx. */
        OK,
        /** The program exited non-zero or could not start, or the webhook never answered 2xx. */
        FAILED,
        /** The program outlived its timeout and was stopped, or the webhook's last attempt got no answer in time. */
        TIMEOUT,
        /** Dry run: nothing ran; the message says what would have. */
        DRY_RUN,
        /** Not run: the action was busy with another run and {@link ActionRunner#MAX_WAITING} more were waiting. */
        SKIPPED_BUSY,
        /**
         * The agent stopped (killed, crashed, the host went down) while the program ran, and never saw it end:
         * reported at the next start. The program may have finished, or still run.
         */
        INTERRUPTED
    }

    public ActionOutcome {
        requireNonNull(result, "result");
        requireNonNull(duration, "duration");
        requireNonNull(output, "output");
        requireNonNull(message, "message");
    }

    /** An outcome without a program's exit or output: a dry run, a skipped or stopped run. */
    public static ActionOutcome of(Result result, Duration duration, String message) {
        return new ActionOutcome(result, null, duration, "", message);
    }
}
