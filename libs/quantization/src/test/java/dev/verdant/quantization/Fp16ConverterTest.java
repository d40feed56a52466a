package dev.verdant.quantization;

import static dev.verdant.quantization.TinyModels.quantized;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnxruntime.OrtException;
import dev.verdant.onnx.OnnxGraphs;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class Fp16ConverterTest {

    @Test
    void float16RoundsToNearestEven() {
        assertThat(Float16.fromFloat(1f)).isEqualTo((short) 0x3C00);
        assertThat(Float16.fromFloat(-2f)).isEqualTo((short) 0xC000);
        assertThat(Float16.fromFloat(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(Float16.fromFloat(1e6f)).isEqualTo((short) 0x7C00);
        assertThat(Float16.fromFloat(0x1p-24f)).isEqualTo((short) 0x0001); // smallest subnormal
        assertThat(Float16.fromFloat(0x1p-26f)).isEqualTo((short) 0); // below half of it
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1).
        assertThat(Float16.fromFloat(1f + 0x1p-11f)).isEqualTo((short) 0x3C00);
        assertThat(Float16.fromFloat(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3C02);
        assertThat(Float16.toFloat((short) 0x3555)).isEqualTo(0.333251953125f);
        for (float v : new float[] {0.1f, -3.14159f, 1e-5f, 2e-7f, 1000.5f}) {
            float back = Float16.toFloat(Float16.fromFloat(v));
            assertThat(Math.abs(back - v)).isLessThanOrEqualTo(Math.max(Math.abs(v) * 0x1p-11f, 0x1p-25f));
        }
    }

    @Test
    void weightsBecomeFloat16WithCastsAndTheModelRunsInOnnxRuntime() throws OrtException {
        byte[] fp32 = TinyModels.tiny().toBytes();
        // The conversion itself (SkipLayerNormFusionTest covers the fusion the Quantizer adds by default).
        QuantizationOutcome.Quantized converted = quantized(new Quantizer().quantize(fp32,
                QuantizationRequest.of(QuantizationMode.FP16).withFusion(false)));

        Map<String, Long> ops = converted.model().getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertThat(converted.report().quantizedMatMuls()).hasSize(12);
        assertThat(converted.report().quantizedGathers()).hasSize(3);
        assertThat(ops.get("Cast")).isGreaterThanOrEqualTo(15L);
        long halfTensors = converted.model().getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == DataType.FLOAT16_VALUE).count();
        assertThat(halfTensors).isEqualTo(15);
        // Only 1-D float parameters (biases, LayerNorm) and scalars stay float32.
        assertThat(converted.model().getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == DataType.FLOAT_VALUE)).allMatch(t -> t.getDimsCount() <= 1);
        // Softmax and the LayerNorm reductions are untouched float32 nodes.
        assertThat(ops).containsKey("Softmax");
        assertThat(converted.report().bytesAfter()).isLessThan(converted.report().bytesBefore() * 6 / 10);
        assertThat(converted.metadata()).containsEntry("verdant.mode", "fp16");

        long[][] ids = TinyModels.ids(3, 9, 5);
        long[][] mask = TinyModels.ones(3, 9);
        double cosine = TinyModels.meanCosine(TinyModels.run(fp32, ids, mask),
                TinyModels.run(OnnxGraphs.toBytes(converted.model()), ids, mask));
        assertThat(cosine).isGreaterThan(0.99999);
    }

    @Test
    void computeLayoutRunsMatMulsInFloat16() throws Exception {
        byte[] fp32 = TinyModels.tiny().toBytes();
        QuantizationOutcome.Quantized converted = quantized(new Fp16Converter(Fp16Converter.Layout.COMPUTE)
                .rewrite(ai.onnx.proto.OnnxMl.ModelProto.parseFrom(fp32), fp32,
                        QuantizationRequest.of(QuantizationMode.FP16)));
        assertThat(converted.model().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("MatMul") && n.getInput(1).endsWith("_fp16"))).hasSize(12);
        long[][] ids = TinyModels.ids(2, 7, 6);
        long[][] mask = TinyModels.ones(2, 7);
        double cosine = TinyModels.meanCosine(TinyModels.run(fp32, ids, mask),
                TinyModels.run(OnnxGraphs.toBytes(converted.model()), ids, mask));
        assertThat(cosine).isGreaterThan(0.9999);
    }

    @Test
    void storedHalvesAreTheRoundedWeights() {
        float[] w = {0.1f, -0.2f, 0.3f, 1e-5f, 70000f, -0.5f};
        QuantizationOutcome.Quantized converted = quantized(new Quantizer().quantize(TinyModels.singleMatMul(w, 2, 3),
                QuantizationRequest.of(QuantizationMode.FP16)));
        TensorProto half = converted.model().getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("W_fp16")).findFirst().orElseThrow();
        byte[] raw = half.getRawData().toByteArray();
        assertThat(raw).hasSize(12);
        for (int i = 0; i < w.length; i++) {
            short h = (short) ((raw[2 * i] & 0xFF) | (raw[2 * i + 1] << 8));
            assertThat(h).isEqualTo(Float16.fromFloat(w[i]));
        }
        assertThat(Float16.toFloat(Float16.fromFloat(70000f))).isInfinite();
    }
}
