package dev.verdant.pruning;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.verdant.onnx.EncoderArchitecture;
import dev.verdant.onnx.Inspection;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.OnnxModelInspector;
import org.junit.jupiter.api.Test;

/**
 * An unstructured variant stores its weights compactly and rebuilds them at load: the inspector
 * (which the evaluation service runs on every variant) must still see the same encoder in it.
 */
class UnstructuredInspectionTest {

    @Test
    void theCompactFormIsStillRecognisedAsTheSameEncoder() {
        byte[] source = UnstructuredPruningTest.tiny().toBytes();
        PruningOutcome.Pruned pruned = StructuredPruningTest.pruned(new Pruner().prune(source,
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5)));
        ModelProto compact = pruned.model();

        Inspection original = new OnnxModelInspector().inspect(source);
        Inspection variant = new OnnxModelInspector().inspect(OnnxGraphs.toBytes(compact));

        assertThat(variant).as("inspection of the compact unstructured variant").isInstanceOf(Inspection.Accepted.class);
        EncoderArchitecture expected = ((Inspection.Accepted) original).facts().architecture();
        EncoderArchitecture actual = ((Inspection.Accepted) variant).facts().architecture();
        assertThat(actual.layers()).isEqualTo(expected.layers());
        assertThat(actual.hiddenSize()).isEqualTo(expected.hiddenSize());
        assertThat(actual.attentionHeads()).isEqualTo(expected.attentionHeads());
        assertThat(actual.ffnSize()).isEqualTo(expected.ffnSize());
    }
}
