package io.netwharf.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The benchmarks' entry point: one subcommand per benchmark. */
@Command(name = "netwharf-benchmarks", mixinStandardHelpOptions = true, subcommands = {KernelWiringBenchmark.class, ClusterBenchmark.class, ForegroundBenchmark.class, RuntimeWiringBenchmark.class, StoreBenchmark.class, DnsBenchmark.class, ProcessRestart.Fill.class, JmhCommand.class,
        io.netwharf.bench.stress.StressBenchmark.class},
        description = "netwharf benchmarks. Run kernel, runtime and stress inside a throwaway network namespace (see the README); jmh is pure CPU.")
public final class Main implements Runnable {
    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new Main());
        // JMH's own options (-f, -wi, ...) reach it unparsed.
        commandLine.getSubcommands().get("jmh").setUnmatchedOptionsArePositionalParams(true);
        System.exit(commandLine.execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
