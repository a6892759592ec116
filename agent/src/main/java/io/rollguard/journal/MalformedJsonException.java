package io.rollguard.journal;

/** Bytes that are not the JSON expected; the message says where and what is wrong, for a person. */
final class MalformedJsonException extends Exception {
    MalformedJsonException(String message) {
        super(message);
    }
}
