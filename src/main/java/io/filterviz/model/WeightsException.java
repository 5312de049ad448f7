package io.filterviz.model;

/** Weights that cannot be had or do not fit VGG16: the message is one line meant for the user. */
public class WeightsException extends RuntimeException {
    public WeightsException(String message) { super(message); }

    public WeightsException(String message, Throwable cause) { super(message, cause); }
}
