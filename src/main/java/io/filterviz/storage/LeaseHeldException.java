package io.filterviz.storage;

/** Another run holds a live lease on --out; the message names it in one line. */
public final class LeaseHeldException extends RuntimeException {
    public LeaseHeldException(String message) { super(message); }
}
