package io.filterviz.text;

/** Every message the user reads is one line: the first line of what a library said. */
public final class OneLine {
    private OneLine() {}

    public static String of(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    /** The exception's message, or its class name when it has none. */
    public static String of(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : of(e.getMessage());
    }
}
