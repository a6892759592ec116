package io.rollguard.cli;

import io.rollguard.check.CheckRunner.Outcome;
import io.rollguard.common.Json;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** How {@code rollguard check} prints its checklist: for a person, for a program, for a CI server. */
enum ChecklistFormat {
    TEXT {
        @Override
        String render(List<Outcome> outcomes, boolean colour) {
            int width = outcomes.stream().mapToInt(o -> o.config().name().length()).max().orElse(0);
            StringBuilder text = new StringBuilder();
            for (Outcome outcome : outcomes) {
                boolean ok = outcome.result().ok();
                String mark = ok ? "PASS" : "FAIL";
                if (colour) {
                    mark = (ok ? "\u001b[32m" : "\u001b[31m") + mark + "\u001b[0m";
                }
                text.append(mark).append("  ").append(String.format("%-" + width + "s", outcome.config().name()))
                        .append("  ").append(outcome.result().message()).append('\n');
            }
            long failed = outcomes.stream().filter(o -> !o.result().ok()).count();
            text.append(outcomes.size() - failed).append(" passed, ").append(failed).append(" failed\n");
            return text.toString();
        }
    },
    JSON {
        @Override
        String render(List<Outcome> outcomes, boolean colour) {
            List<Map<String, Object>> checks = new ArrayList<>();
            for (Outcome outcome : outcomes) {
                Map<String, Object> check = new LinkedHashMap<>();
                check.put("name", outcome.config().name());
                check.put("type", outcome.config().type());
                check.put("ok", outcome.result().ok());
                check.put("message", outcome.result().message());
                check.put("value", Double.isNaN(outcome.result().value()) ? null : outcome.result().value());
                check.put("duration_ms", Math.round(outcome.durationSeconds() * 1000));
                checks.add(check);
            }
            long failed = outcomes.stream().filter(o -> !o.result().ok()).count();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("checks", checks);
            body.put("passed", outcomes.size() - failed);
            body.put("failed", failed);
            return new String(Json.bytes(body), StandardCharsets.UTF_8) + "\n";
        }
    },
    JUNIT {
        @Override
        String render(List<Outcome> outcomes, boolean colour) {
            StringWriter text = new StringWriter();
            try {
                XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
                xml.writeStartDocument("UTF-8", "1.0");
                xml.writeCharacters("\n");
                xml.writeStartElement("testsuite");
                xml.writeAttribute("name", "rollguard");
                xml.writeAttribute("tests", String.valueOf(outcomes.size()));
                xml.writeAttribute("failures", String.valueOf(outcomes.stream().filter(o -> !o.result().ok()).count()));
                xml.writeAttribute("errors", "0");
                xml.writeAttribute("time", seconds(outcomes.stream().mapToDouble(Outcome::durationSeconds).max().orElse(0)));
                xml.writeCharacters("\n");
                for (Outcome outcome : outcomes) {
                    xml.writeCharacters("  ");
                    xml.writeStartElement("testcase");
                    xml.writeAttribute("classname", "rollguard." + outcome.config().type());
                    xml.writeAttribute("name", outcome.config().name());
                    xml.writeAttribute("time", seconds(outcome.durationSeconds()));
                    if (outcome.result().ok()) {
                        xml.writeStartElement("system-out");
                        xml.writeCharacters(outcome.result().message());
                        xml.writeEndElement();
                    } else {
                        xml.writeStartElement("failure");
                        xml.writeAttribute("message", outcome.result().message());
                        xml.writeCharacters(outcome.result().message());
                        xml.writeEndElement();
                    }
                    xml.writeEndElement();
                    xml.writeCharacters("\n");
                }
                xml.writeEndElement();
                xml.writeEndDocument();
                xml.close();
            } catch (XMLStreamException e) {
                throw new IllegalStateException("cannot write XML to a string", e);
            }
            return text + "\n";
        }
    };

    abstract String render(List<Outcome> outcomes, boolean colour);

    private static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }
}
