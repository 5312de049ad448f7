package io.filterviz.config;

/** Input the job cannot run with; the message is the one line the user sees, and the exit code is 2. */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) { super(message); }
}
