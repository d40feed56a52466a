package dev.verdant.cli;

import dev.verdant.infra.InfraStatus;
import dev.verdant.infra.LocalInfrastructure;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** What runs: Kafka, S3 and each service, with pids and where their logs are. */
@Command(name = "status", description = "Show what verdant up started and whether it still runs.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    VerdantCli cli;

    @Override
    public Integer call() {
        InfraStatus infra = LocalInfrastructure.status(cli.workspace().resolve("infra"));
        cli.out().println(infra.kafka());
        cli.out().println(infra.s3());
        ServiceProcesses processes = new ServiceProcesses(cli.workspace(), cli.home());
        boolean all = infra.running();
        for (ServiceCatalog.Service service : ServiceCatalog.SERVICES) {
            var running = processes.running(service);
            all &= running.isPresent();
            cli.out().printf("%s: %s, log %s%n", service.name(),
                    running.map(r -> "running (pid " + r.pid() + ", http://127.0.0.1:" + service.port() + ")")
                            .orElse("stopped"), processes.logFile(service));
        }
        return all ? 0 : 1;
    }
}
