package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** What {@code POST /api/v1/silences} and {@code /lift} accept, and what they say of the rest. */
class SilenceRequestTest {
    @Test
    void aRuleOrEveryRuleForADurationWithAComment() {
        assertThat(ApiEndpoints.SilenceRequest.parse("{\"rule\": \"api-down\", \"for\": \"30m\", \"comment\": "
                + "\"db\\nmigration\"}", false))
                .isEqualTo(new ApiEndpoints.SilenceRequest("api-down", Duration.ofMinutes(30), "db\\nmigration"));
        assertThat(ApiEndpoints.SilenceRequest.parse("{\"all\": true, \"for\": \"7d\"}", false))
                .isEqualTo(new ApiEndpoints.SilenceRequest("*", Duration.ofDays(7), ""));
        assertThat(ApiEndpoints.SilenceRequest.parse("{\"all\": true}", true))
                .isEqualTo(new ApiEndpoints.SilenceRequest("*", null, ""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not json | false | expected a JSON object such as {\"rule\": \"api_errors\", \"for\": \"30m\"",
        "{\"rule\": \"a\"} | false | for must be a duration such as \"30m\"",
        "{\"rule\": \"a\", \"for\": \"8d\"} | false | for: a silence lasts from 1s to 7d",
        "{\"rule\": \"a\", \"for\": \"soon\"} | false | for: ",
        "{\"for\": \"1h\"} | false | give either rule (a rule's name) or \"all\": true",
        "{\"rule\": \"a\", \"all\": true, \"for\": \"1h\"} | false | give either rule",
        "{\"all\": \"yes\", \"for\": \"1h\"} | false | all must be true or false",
        "{\"rule\": 3, \"for\": \"1h\"} | false | rule must be a rule's name",
        "{\"rule\": \"a\", \"for\": \"1h\", \"until\": \"x\"} | false | unknown field \"until\"; expected all, comment",
        "{\"rule\": \"a\", \"for\": \"1h\"} | true | unknown field \"for\"; expected all, rule",
    })
    void theRestIsRefusedSayingWhatWasExpected(String body, boolean lift, String message) {
        assertThatThrownBy(() -> ApiEndpoints.SilenceRequest.parse(body, lift))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message.strip());
    }
}
