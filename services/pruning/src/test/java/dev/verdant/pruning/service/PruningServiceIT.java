package dev.verdant.pruning.service;

import dev.verdant.events.JobUsage;
import dev.verdant.events.Technique;
import dev.verdant.testsupport.LocalInfrastructureTestResource;
import dev.verdant.testsupport.pipeline.TechniqueServiceCheck;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;

/** The pruning service against a real Kafka broker and a real S3 server (s3proxy), on a tiny BERT. */
@QuarkusTest
@WithTestResource(value = LocalInfrastructureTestResource.class, initArgs = {
        @ResourceArg(name = "unique-bucket", value = "true"),
        @ResourceArg(name = "topics", value = "verdant.models.ingested,verdant.variants.created,"
                + "verdant.variants.failed,verdant.dead-letter,verdant.usage")})
class PruningServiceIT extends TechniqueServiceCheck {

    @Override
    protected String variantsYaml() {
        return """
                  - name: ffn-half
                    technique: prune
                    params: { method: ffn, amount: 0.5 }
                  - name: heads-quarter
                    technique: prune
                    params: { method: heads, amount: 0.25 }
                  - name: low-rank
                    technique: prune
                    params: { method: lowrank, amount: 0.5 }
                """;
    }

    @Override
    protected List<String> variantIds() {
        return List.of("ffn-half", "heads-quarter", "low-rank");
    }

    @Override
    protected Technique technique() {
        return Technique.PRUNE;
    }

    @Override
    protected JobUsage.Kind jobKind() {
        return JobUsage.Kind.PRUNE;
    }

    @Override
    protected String corruptInputReason() {
        return "CORRUPT_INPUT";
    }
}
