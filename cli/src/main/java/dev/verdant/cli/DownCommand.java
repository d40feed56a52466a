package dev.verdant.cli;

import dev.verdant.infra.LocalInfrastructure;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** Stops what {@code verdant up} started: services first (so they commit their offsets), then Kafka and S3. */
@Command(name = "down", description = "Stop the services, Kafka and S3 started by verdant up (data and logs stay).")
final class DownCommand implements Callable<Integer> {
    @ParentCommand
    VerdantCli cli;

    @Override
    public Integer call() {
        stop(cli);
        return 0;
    }

    static void stop(VerdantCli cli) {
        ServiceProcesses processes = new ServiceProcesses(cli.workspace(), cli.home());
        for (ServiceCatalog.Service service : ServiceCatalog.SERVICES) {
            if (processes.stop(service)) {
                cli.err().println("stopped " + service.name());
            }
        }
        if (LocalInfrastructure.stopDetached(cli.workspace().resolve("infra"))) {
            cli.err().println("stopped Kafka and S3");
        }
        cli.out().println("Verdant is down (data and logs kept in " + cli.workspace() + ").");
    }
}
