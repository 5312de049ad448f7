package io.filterviz.testing;

import io.filterviz.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One run of the command line in this JVM, as a user sees it: the exit code and what went to stdout and stderr. */
public record MainRun(int exit, String out, String err) {

    public static MainRun of(List<String> args) {
        return of(args, System.getenv());
    }

    /** {@code base}, then {@code extra}, then {@code --out out}. */
    public static MainRun into(Path out, List<String> base, String... extra) {
        List<String> args = new java.util.ArrayList<>(base);
        args.addAll(List.of(extra));
        args.addAll(List.of("--out", out.toString()));
        return of(args);
    }

    /** @param env the environment the run sees instead of this process's */
    public static MainRun of(List<String> args, Map<String, String> env) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        String[] argv = args.toArray(new String[0]);
        int exit = Main.run(argv, out, err, env);
        return new MainRun(exit, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }
}
