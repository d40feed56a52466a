package dev.verdant.distillation.service;

import dev.verdant.events.JobUsage;
import dev.verdant.events.Technique;
import dev.verdant.testsupport.LocalInfrastructureTestResource;
import dev.verdant.testsupport.pipeline.TechniqueServiceCheck;
import dev.verdant.onnx.testing.TinyBertBuilder;
import java.time.Duration;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;

/** The distillation service against a real Kafka broker and a real S3 server (s3proxy), on a tiny BERT. */
@QuarkusTest
@WithTestResource(value = LocalInfrastructureTestResource.class, initArgs = {
        @ResourceArg(name = "unique-bucket", value = "true"),
        @ResourceArg(name = "topics", value = "verdant.models.ingested,verdant.variants.created,"
                + "verdant.variants.failed,verdant.dead-letter,verdant.usage")})
class DistillationServiceIT extends TechniqueServiceCheck {

    @Override
    protected String variantsYaml() {
        return """
                  - name: student
                    technique: distill
                    params: { layers: 2, steps: 6, batchSize: 8 }
                """;
    }

    @Override
    protected List<String> variantIds() {
        return List.of("student");
    }

    @Override
    protected Technique technique() {
        return Technique.DISTILL;
    }

    @Override
    protected JobUsage.Kind jobKind() {
        return JobUsage.Kind.DISTILL;
    }

    @Override
    protected String corruptInputReason() {
        return "MODEL_UNREADABLE";
    }

    /** Four layers, so a two-layer student is smaller. */
    @Override
    protected TinyBertBuilder tinyModel() {
        return super.tinyModel().layers(4);
    }

    /** The teacher embeds the default corpus (STS-B train sentences) before a few training steps. */
    @Override
    protected Duration waitForEach() {
        return Duration.ofSeconds(300);
    }
}
