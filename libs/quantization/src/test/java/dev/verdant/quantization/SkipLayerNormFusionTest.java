package dev.verdant.quantization;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.verdant.onnx.testing.TinyBertBuilder;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SkipLayerNormFusionTest {

    @Test
    void everyResidualAddAndDecomposedLayerNormBecomesOneNodeWithTheSameOutput() throws Exception {
        ModelProto model = TinyModels.tiny().layerNorm(TinyBertBuilder.LayerNormStyle.DECOMPOSED).build();
        SkipLayerNormFusion.Result fused = SkipLayerNormFusion.apply(model);

        // Two residual norms per layer (2 layers); the embedding norm sums three lookups with two Adds: the last one
        // is a residual-shaped Add of two computed tensors too.
        Map<String, Long> ops = fused.model().getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertThat(fused.fused()).isEqualTo(5);
        assertThat(ops.get("SkipLayerNormalization")).isEqualTo(5L);
        assertThat(ops).doesNotContainKeys("Pow", "Sqrt", "ReduceMean");
        assertThat(fused.model().getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("SkipLayerNormalization"))
                .allSatisfy(n -> assertThat(n.getDomain()).isEqualTo("com.microsoft"));

        long[][] ids = TinyModels.ids(3, 11, 9);
        long[][] mask = TinyModels.ones(3, 11);
        float[][][] before = TinyModels.run(model.toByteArray(), ids, mask);
        float[][][] after = TinyModels.run(fused.model().toByteArray(), ids, mask);
        TinyModels.assertClose(before, after, 1e-4f);
    }

    @Test
    void theQuantizerFusesInEveryModeUnlessAskedNotTo() throws Exception {
        byte[] fp32 = TinyModels.tiny().toBytes();
        for (QuantizationMode mode : new QuantizationMode[] {QuantizationMode.DYNAMIC_INT8, QuantizationMode.FP16,
                QuantizationMode.INT4}) {
            QuantizationOutcome.Quantized fused = TinyModels.quantized(new Quantizer().quantize(fp32, QuantizationRequest.of(mode)));
            assertThat(fused.metadata().get("verdant.parameters")).as(mode.id()).endsWith(",skipLayerNorm=5,attention=2");
            assertThat(fused.model().getGraph().getNodeList()).anyMatch(n -> n.getOpType().equals("SkipLayerNormalization"));
            QuantizationOutcome.Quantized plain = TinyModels.quantized(new Quantizer().quantize(fp32,
                    QuantizationRequest.of(mode).withFusion(false)));
            assertThat(plain.metadata().get("verdant.parameters")).as(mode.id()).doesNotContain("skipLayerNorm");
            assertThat(plain.model().getGraph().getNodeList()).noneMatch(n -> n.getOpType().equals("SkipLayerNormalization")
                    || n.getOpType().equals("MultiHeadAttention"));
            long[][] ids = TinyModels.ids(2, 8, 4);
            long[][] mask = TinyModels.ones(2, 8);
            assertThat(TinyModels.meanCosine(TinyModels.run(dev.verdant.onnx.OnnxGraphs.toBytes(plain.model()), ids, mask),
                    TinyModels.run(dev.verdant.onnx.OnnxGraphs.toBytes(fused.model()), ids, mask))).as(mode.id()).isGreaterThan(0.99999);
        }
    }

    @Test
    void aFusedLayerNormOrAGraphWithoutTheChainIsLeftAlone() {
        ModelProto fusedStyle = TinyModels.tiny().layerNorm(TinyBertBuilder.LayerNormStyle.FUSED).build();
        assertThat(SkipLayerNormFusion.apply(fusedStyle).fused()).isZero();
        ModelProto matmul = TinyModels.model(TinyModels.tiny().build().getGraph().toBuilder().clearNode().build());
        assertThat(SkipLayerNormFusion.apply(matmul).fused()).isZero();
    }
}
