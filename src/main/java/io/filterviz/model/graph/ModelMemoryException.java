package io.filterviz.model.graph;

import java.util.Locale;

/**
 * A model whose weights this JVM's heap cannot hold: known from an estimate before they are read, or from an
 * {@link OutOfMemoryError} while reading them. The loader does not know which option sizes its heap (the driver's
 * or an executor's), so its caller names it: {@link #raise}.
 */
public final class ModelMemoryException extends ModelException {
    private final String file;
    private final long fileBytes;

    /**
     * @param file      the model file's name
     * @param fileBytes its size
     * @param what      what did not fit, said as "needs about 920 MB of heap for its weights, more than the 700 MB free"
     */
    public ModelMemoryException(String file, long fileBytes, String what) {
        super("model file " + file + " (" + megabytes(fileBytes) + ") " + what);
        this.file = file;
        this.fileBytes = fileBytes;
    }

    /** After an {@link OutOfMemoryError} while reading the file. */
    public static ModelMemoryException outOfMemory(String file, long fileBytes) {
        return new ModelMemoryException(file, fileBytes, "does not fit in this JVM's heap of "
                + megabytes(Runtime.getRuntime().maxMemory()));
    }

    public String file() { return file; }

    public long fileBytes() { return fileBytes; }

    /** The one line for the user: what did not fit and the option that gives the JVM more, e.g. "--driver-memory". */
    public String raise(String option) {
        return getMessage() + "; raise " + option;
    }

    /** The same, its message naming the option (thrown on, for a caller that shows messages as they are). */
    public ModelMemoryException naming(String option) {
        ModelMemoryException named = new ModelMemoryException(file, fileBytes, raise(option), true);
        named.initCause(this);
        return named;
    }

    /** @param whole marks the message as complete (the public constructor composes one) */
    private ModelMemoryException(String file, long fileBytes, String message, boolean whole) {
        super(message);
        this.file = file;
        this.fileBytes = fileBytes;
    }

    public static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%d MB", (bytes + 500_000) / 1_000_000);
    }
}
