package dev.verdant.quantization;

import static dev.verdant.quantization.TinyModels.quantized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtException;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Int4QuantizerTest {

    @Test
    void packingFollowsMatMulNBitsLayout() {
        // K = 40 with blocks of 16: 3 blocks, the last one 8 real rows; N = 2.
        int k = 40;
        int n = 2;
        float[] w = new float[k * n];
        for (int row = 0; row < k; row++) {
            w[row * n] = row - 10;          // column 0: -10 .. 29
            w[row * n + 1] = -0.5f * row;   // column 1: 0 .. -19.5
        }
        Int4Blocks blocks = Int4Blocks.quantize(w, k, n, 16, false);
        assertThat(blocks.blocks()).isEqualTo(3);
        assertThat(blocks.packed()).hasSize(n * 3 * 8);
        assertThat(blocks.scales()).hasSize(n * 3);
        assertThat(blocks.zeroPoints()).hasSize(n * 2); // ceil(3 / 2) bytes a column

        // Column 0, block 0: rows 0..15 = -10..5: lo -10, hi 5, scale 1, zp 10; row 0 -> q 0, row 1 -> q 1.
        assertThat(blocks.scales()[0]).isEqualTo(1f);
        assertThat(blocks.zeroPoint(0, 0)).isEqualTo(10);
        assertThat(blocks.packed()[0]).isEqualTo((byte) 0x10); // low nibble row 0 (0), high nibble row 1 (1)
        // Column 0, block 1: rows 16..31 = 6..21: lo 0 (0 is always representable), hi 21, scale 1.4, zp 0.
        assertThat(blocks.scales()[1]).isCloseTo(1.4f, within(1e-6f));
        assertThat(blocks.zeroPoint(1, 0)).isZero();
        // Column 0's zero points 10 (block 0) and 0 (block 1) share byte 0, block 2's sits alone in byte 1.
        assertThat(blocks.zeroPoints()[0]).isEqualTo((byte) 0x0A);
        // Column 0, block 2: rows 32..39 = 22..29, rows 40..47 padding: padded codes equal the zero point (0).
        assertThat(blocks.code(39, 0)).isEqualTo(15);
        assertThat(blocks.packed()[(0 * 3 + 2) * 8 + 7]).isZero(); // rows 46, 47 (padding)
        // Column 1, block 0: 0 .. -7.5: lo -7.5, hi 0, scale 0.5, zp 15; row 0 (0) -> 15, row 1 (-0.5) -> 14.
        assertThat(blocks.scales()[3]).isEqualTo(0.5f);
        assertThat(blocks.zeroPoint(0, 1)).isEqualTo(15);
        assertThat(blocks.packed()[3 * 8]).isEqualTo((byte) 0xEF);

        float[] back = blocks.dequantize();
        for (int row = 0; row < k; row++) {
            for (int col = 0; col < n; col++) {
                float scale = blocks.scales()[col * 3 + row / 16];
                assertThat(Math.abs(back[row * n + col] - w[row * n + col])).isLessThanOrEqualTo(scale / 2 + 1e-6f);
            }
        }
    }

    @Test
    void symmetricBlocksHaveNoZeroPoints() {
        float[] w = TinyModels.randomWeights(64 * 3, 4);
        Int4Blocks blocks = Int4Blocks.quantize(w, 64, 3, 32, true);
        assertThat(blocks.zeroPoints()).isNull();
        assertThat(blocks.zeroPoint(1, 2)).isEqualTo(8);
        float[] back = blocks.dequantize();
        for (int i = 0; i < w.length; i++) {
            int col = i % 3;
            int block = (i / 3) / 32;
            assertThat(Math.abs(back[i] - w[i])).isLessThanOrEqualTo(blocks.scales()[col * 2 + block] / 2 + 1e-6f);
        }
    }

    @Test
    void onnxRuntimeComputesWhatTheJavaDequantizationSays() throws OrtException {
        int k = 96;
        int n = 5;
        float[] w = TinyModels.randomWeights(k * n, 11);
        for (int blockSize : new int[] {32, 64}) {
            for (boolean symmetric : new boolean[] {false, true}) {
                byte[] source = TinyModels.singleMatMul(w, k, n);
                ai.onnx.proto.OnnxMl.ModelProto model;
                try {
                    model = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(source);
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
                // accuracy_level 0: ONNX Runtime computes in float, so the result must match the Java reference closely.
                QuantizationOutcome.Quantized quantized = quantized(new Int4Quantizer(symmetric, 0).rewrite(model, source,
                        QuantizationRequest.of(QuantizationMode.INT4).withBlockSize(blockSize)));
                NodeProto node = quantized.model().getGraph().getNode(0);
                assertThat(node.getOpType()).isEqualTo("MatMulNBits");
                assertThat(node.getDomain()).isEqualTo("com.microsoft");
                assertThat(node.getInputCount()).isEqualTo(symmetric ? 3 : 4);

                float[] reference = Int4Blocks.quantize(w, k, n, blockSize, symmetric).dequantize();
                Random random = new Random(blockSize);
                float[][] x = new float[4][k];
                for (float[] row : x) {
                    for (int i = 0; i < k; i++) {
                        row[i] = (float) random.nextGaussian();
                    }
                }
                float[][] y = TinyModels.runMatMul(OnnxGraphs.toBytes(quantized.model()), x);
                for (int r = 0; r < x.length; r++) {
                    for (int col = 0; col < n; col++) {
                        double expected = 0;
                        for (int i = 0; i < k; i++) {
                            expected += x[r][i] * reference[i * n + col];
                        }
                        assertThat((double) y[r][col]).as("block %d symmetric %s", blockSize, symmetric)
                                .isCloseTo(expected, within(1e-3));
                    }
                }
            }
        }
    }

    @Test
    void tinyBertRunsAsInt4AndStaysClose() throws OrtException {
        byte[] fp32 = TinyModels.tiny().toBytes();
        QuantizationOutcome.Quantized quantized = quantized(new Quantizer().quantize(fp32,
                QuantizationRequest.of(QuantizationMode.INT4).withBlockSize(32)));
        assertThat(quantized.model().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("MatMulNBits")))
                .hasSize(12);
        assertThat(quantized.model().getOpsetImportList()).anyMatch(o -> o.getDomain().equals("com.microsoft"));
        TensorProto b = quantized.model().getGraph().getInitializerList().stream()
                .filter(t -> t.getName().endsWith("_int4/B")).findFirst().orElseThrow();
        assertThat(Tensors.dims(b)[2]).isEqualTo(16);
        assertThat(quantized.metadata()).containsEntry("verdant.mode", "int4");
        assertThat(quantized.metadata().get("verdant.parameters")).contains("blockSize=32");

        long[][] ids = TinyModels.ids(3, 9, 5);
        long[][] mask = TinyModels.ones(3, 9);
        double cosine = TinyModels.meanCosine(TinyModels.run(fp32, ids, mask),
                TinyModels.run(OnnxGraphs.toBytes(quantized.model()), ids, mask));
        assertThat(cosine).isGreaterThan(0.97);
    }
}
