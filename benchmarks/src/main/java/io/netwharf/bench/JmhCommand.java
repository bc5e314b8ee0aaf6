package io.netwharf.bench;

import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs the JMH microbenchmarks of {@code io.netwharf.bench.jmh} through JMH's own command line: every argument
 * after {@code jmh} goes to {@link org.openjdk.jmh.Main} as it is ({@code -f 1 -wi 3 -i 5}, {@code -l}, {@code -h},
 * benchmark regexps); {@link Main} makes picocli take unknown options as parameters here. Without a regexp, all of
 * netwharf's microbenchmarks run. Pure CPU: no root, no namespace, no kernel call.
 */
@Command(name = "jmh", description = "Run the JMH microbenchmarks (codec, address pool); every argument goes to JMH (jmh -h lists them).")
public final class JmhCommand implements Callable<Integer> {
    static final String DEFAULT_INCLUDE = "io\\.netwharf\\.bench\\.jmh\\.";

    @Parameters(arity = "0..*", paramLabel = "JMH-ARGUMENT", description = "JMH's options and benchmark regexps")
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> jmhArguments = new ArrayList<>(arguments);
        if (includesNothing(jmhArguments)) {
            jmhArguments.add(DEFAULT_INCLUDE);
        }
        // Returns when done; exits the JVM with 1 itself when the options or a benchmark fail.
        org.openjdk.jmh.Main.main(jmhArguments.toArray(String[]::new));
        return 0;
    }

    /** True when the arguments name no benchmark; false also when JMH cannot parse them (it will say why). */
    private static boolean includesNothing(List<String> arguments) {
        try {
            return new CommandLineOptions(arguments.toArray(String[]::new)).getIncludes().isEmpty();
        } catch (CommandLineOptionException e) {
            return false;
        }
    }
}
