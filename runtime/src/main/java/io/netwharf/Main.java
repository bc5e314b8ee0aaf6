package io.netwharf;

import io.netwharf.cli.HostNetworkReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * netwharf's command line. Without a subcommand it will start the runtime with its defaults once the runtime
 * exists; until then it prints the host's links, addresses and routes as the kernel layer reads them.
 */
@Command(name = "netwharf", mixinStandardHelpOptions = true, version = "netwharf 0.1.0",
        description = "Container network runtime for Linux. Without a subcommand: show the host network as netwharf reads it.")
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        HostNetworkReport.print(System.out);
    }
}
