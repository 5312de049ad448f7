package io.filterviz.model;

import io.filterviz.model.graph.ModelException;

/** Weights that cannot be had or do not fit the network: the message is one line meant for the user. */
public class WeightsException extends ModelException {
    public WeightsException(String message) { super(message); }

    public WeightsException(String message, Throwable cause) { super(message, cause); }
}
