package io.filterviz.model.graph;

/**
 * A model the tool cannot use: a file that is not a model, a truncated one, an operator or attribute value we do not
 * support. The message is the one line the user sees; the job turns it into exit code 2 before any task starts.
 */
public class ModelException extends RuntimeException {
    public ModelException(String message) { super(message); }

    public ModelException(String message, Throwable cause) { super(message, cause); }
}
