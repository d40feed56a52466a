package dev.verdant.quantization;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AttentionFusionTest {

    @Test
    void eachAttentionBlockBecomesOneMultiHeadAttentionWithTheSameOutputEvenWithPadding() throws Exception {
        ModelProto model = TinyModels.tiny().build();
        AttentionFusion.Result fused = AttentionFusion.apply(model);

        Map<String, Long> ops = fused.model().getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertThat(fused.fused()).isEqualTo(2);
        assertThat(ops.get("MultiHeadAttention")).isEqualTo(2L);
        assertThat(ops).doesNotContainKeys("Softmax", "Transpose");
        assertThat(fused.model().getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("MultiHeadAttention"))
                .allSatisfy(n -> {
                    assertThat(n.getDomain()).isEqualTo("com.microsoft");
                    assertThat(n.getAttributeList()).anyMatch(a -> a.getName().equals("num_heads") && a.getI() == 4);
                });

        long[][] ids = TinyModels.ids(3, 10, 2);
        long[][] mask = TinyModels.ones(3, 10);
        for (int t = 6; t < 10; t++) {
            mask[1][t] = 0; // the second text is padded after 6 tokens
            ids[1][t] = 0;
        }
        mask[2][9] = 0;
        float[][][] before = TinyModels.run(model.toByteArray(), ids, mask);
        float[][][] after = TinyModels.run(fused.model().toByteArray(), ids, mask);
        TinyModels.assertClose(before, after, 1e-4f);
    }

    @Test
    void aGraphWithoutTheBlockOrWithoutAttentionMaskIsLeftAlone() {
        ModelProto model = TinyModels.tiny().build();
        ModelProto renamed = model.toBuilder().setGraph(model.getGraph().toBuilder().clearNode()).build();
        assertThat(AttentionFusion.apply(renamed).fused()).isZero();
        ModelProto noMaskInput = model.toBuilder().setGraph(model.getGraph().toBuilder()
                .removeInput(model.getGraph().getInputList().stream().map(i -> i.getName()).toList().indexOf("attention_mask")))
                .build();
        assertThat(AttentionFusion.apply(noMaskInput).fused()).isZero();
    }
}
