package io.rollguard.http;

import com.fasterxml.jackson.jr.ob.JSON;
import io.rollguard.rule.AlertInbox;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Alertmanager's webhook payload, version 4: {@code {"version": "4", "status": ..., "alerts": [{"status":
 * "firing"|"resolved", "labels": {...}, "annotations": {...}, "startsAt": ..., ...}], ...}}. Only what decides a
 * rule is read (each alert's status and labels); the other fields are Alertmanager's and pass unread, so a newer
 * Alertmanager adding fields is still understood. What a sender got wrong is the exception's message.
 */
final class AlertmanagerPayload {
    static final String VERSION = "4";
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private AlertmanagerPayload() {}

    /** @throws IllegalArgumentException for anything but a version 4 webhook payload */
    static List<AlertInbox.Alert> parse(String body) {
        Map<String, Object> payload;
        try {
            payload = JSON.std.mapFrom(body);
        } catch (IOException | RuntimeException e) {
            payload = null;
        }
        if (payload == null) {
            throw new IllegalArgumentException("expected Alertmanager's webhook payload: a JSON object with "
                    + "\"version\": \"4\" and \"alerts\"");
        }
        Object version = payload.get("version");
        if (!VERSION.equals(version)) {
            String got = version == null ? "none"
                    : version instanceof String ? "\"" + version + "\"" : String.valueOf(version);
            throw new IllegalArgumentException("expected \"version\": \"4\" (Alertmanager's webhook payload), got "
                    + got);
        }
        if (!(payload.get("alerts") instanceof List)) {
            throw new IllegalArgumentException("\"alerts\" must be a list");
        }
        List<AlertInbox.Alert> alerts = new ArrayList<>();
        List<?> list = (List<?>) payload.get("alerts");
        for (int i = 0; i < list.size(); i++) {
            alerts.add(alert(list.get(i), "alerts[" + i + "]"));
        }
        return alerts;
    }

    private static AlertInbox.Alert alert(Object value, String where) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        Map<?, ?> alert = (Map<?, ?>) value;
        Object status = alert.get("status");
        if (!"firing".equals(status) && !"resolved".equals(status)) {
            throw new IllegalArgumentException(where + ".status must be \"firing\" or \"resolved\"");
        }
        if (!(alert.get("labels") instanceof Map)) {
            throw new IllegalArgumentException(where + ".labels must be an object of strings");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<?, ?> label : ((Map<?, ?>) alert.get("labels")).entrySet()) {
            String name = String.valueOf(label.getKey());
            if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
                throw new IllegalArgumentException(where + ".labels: \"" + name + "\" is not a label name");
            }
            if (!(label.getValue() instanceof String)) {
                throw new IllegalArgumentException(where + ".labels." + name + " must be a string");
            }
            labels.put(name, (String) label.getValue());
        }
        return new AlertInbox.Alert("firing".equals(status), labels);
    }
}
