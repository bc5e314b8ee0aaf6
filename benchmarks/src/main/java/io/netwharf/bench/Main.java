package io.netwharf.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The benchmarks' entry point: one subcommand per benchmark. */
@Command(name = "netwharf-benchmarks", mixinStandardHelpOptions = true, subcommands = {KernelWiringBenchmark.class, RuntimeWiringBenchmark.class},
        description = "netwharf benchmarks. Run them inside a throwaway network namespace (see the README).")
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
