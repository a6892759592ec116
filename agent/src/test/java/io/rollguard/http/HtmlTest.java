package io.rollguard.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HtmlTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "plain text                 | plain text",
            "``                         | ``",
            "<script>alert(1)</script>  | &lt;script&gt;alert(1)&lt;/script&gt;",
            "a & b                      | a &amp; b",
            "&amp;                      | &amp;amp;",
            "`\" onmouseover=\"x`       | &quot; onmouseover=&quot;x",
            "`it's`                     | it&#39;s",
            "`<img src=x onerror='y'>`  | &lt;img src=x onerror=&#39;y&#39;&gt;",
            "héllo ✓                    | héllo ✓"})
    void escapesTheCharactersHtmlGivesMeaning(String text, String escaped) {
        assertThat(Html.escape(text)).isEqualTo(escaped);
    }
}
