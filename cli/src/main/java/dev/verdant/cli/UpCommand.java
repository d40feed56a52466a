package dev.verdant.cli;

import dev.verdant.events.Topics;
import dev.verdant.infra.InfraEndpoints;
import dev.verdant.infra.InfraStatus;
import dev.verdant.infra.KafkaNode;
import dev.verdant.infra.KafkaTopics;
import dev.verdant.infra.LocalInfrastructure;
import dev.verdant.infra.S3Node;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Starts a whole Verdant on this machine, without Docker: a Kafka broker (KRaft) and an S3 server
 * (s3proxy) as background JVMs, the topics, then every built service. Running parts are kept.
 */
@Command(name = "up", description = "Start local Kafka, S3 storage and the services in the background.")
final class UpCommand implements Callable<Integer> {
    /** Two partitions per topic: two instances of a service in one group share the work. */
    static final int PARTITIONS = 2;

    @ParentCommand
    VerdantCli cli;

    @Option(names = "--kafka-port", description = "Kafka listener port (default: a free one)")
    int kafkaPort;

    @Option(names = "--s3-port", description = "S3 port (default: a free one)")
    int s3Port;

    @Override
    public Integer call() {
        Endpoints endpoints = start(cli, kafkaPort, s3Port);
        cli.out().println("Verdant is up. Kafka " + endpoints.kafkaBootstrapServers() + ", S3 " + endpoints.s3Endpoint()
                + " (bucket " + endpoints.bucket() + "), workspace " + cli.workspace());
        cli.out().println("Next: ./verdant submit MODEL.onnx --tokenizer tokenizer.json   and   ./verdant watch");
        return 0;
    }

    static Endpoints start(VerdantCli cli, int kafkaPort, int s3Port) {
        long t0 = System.nanoTime();
        cli.err().println("starting Kafka and S3 ...");
        InfraStatus status = LocalInfrastructure.startDetached(cli.workspace().resolve("infra"),
                LocalInfrastructure.Options.defaults()
                        .withKafka(KafkaNode.Options.defaults().withPort(kafkaPort))
                        .withS3(S3Node.Options.defaults().withPort(s3Port)));
        InfraEndpoints infra = status.endpoints().orElseThrow(() -> new CliException(
                "Kafka or S3 did not start; see the logs under " + cli.workspace().resolve("infra")));
        Endpoints endpoints = new Endpoints(infra.kafkaBootstrapServers(), infra.s3Endpoint(), infra.accessKey(),
                infra.secretKey(), "verdant");
        endpoints.save(cli.workspace());
        KafkaTopics.create(endpoints.kafkaBootstrapServers(), Topics.ALL, PARTITIONS, Topics.CONFIGS);
        cli.err().printf("Kafka and S3 ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        ServiceCatalog catalog = new ServiceCatalog(cli.home());
        if (!catalog.missing().isEmpty()) {
            throw new CliException("not built: " + catalog.missing().stream().map(ServiceCatalog.Service::module).toList()
                    + "; run ./verdant (it builds on first use) or ./mvnw -DskipTests install");
        }
        ServiceProcesses processes = new ServiceProcesses(cli.workspace(), cli.home());
        for (ServiceCatalog.Service service : catalog.built()) {
            long s0 = System.nanoTime();
            ServiceProcesses.Running running = processes.start(service, endpoints);
            cli.err().printf("%-12s ready (pid %d, http://127.0.0.1:%d, log %s) in %.1f s%n", service.name(),
                    running.pid(), service.port(), processes.logFile(service), (System.nanoTime() - s0) / 1e9);
        }
        return endpoints;
    }
}
