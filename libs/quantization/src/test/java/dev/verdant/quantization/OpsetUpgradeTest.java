package dev.verdant.quantization;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.verdant.onnx.OnnxGraphs;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpsetUpgradeTest {

    @Test
    void tinyBertAtOpset13ComputesWhatItDidAtOpset11() throws Exception {
        ModelProto model = TinyModels.tiny().build();
        assertThat(ModelSupport.defaultOpset(model)).isEqualTo(11);
        OpsetUpgrade.Result result = OpsetUpgrade.toOpset13(model);
        assertThat(result.upgraded()).as(result.refusal()).isTrue();
        ModelProto upgraded = result.model();
        assertThat(ModelSupport.defaultOpset(upgraded)).isEqualTo(13);
        assertThat(upgraded.getIrVersion()).isGreaterThanOrEqualTo(7);
        List<NodeProto> nodes = upgraded.getGraph().getNodeList();
        // Unsqueeze's axes is an input from 13 on.
        assertThat(nodes.stream().filter(n -> n.getOpType().equals("Unsqueeze")))
                .isNotEmpty().allMatch(n -> n.getInputCount() == 2 && n.getAttributeCount() == 0);
        // Softmax(axis 3) keeps opset 11's meaning through Flatten(3) -> Softmax(-1) -> Reshape(Shape(x)).
        assertThat(nodes.stream().filter(n -> n.getOpType().equals("Softmax")))
                .isNotEmpty().allMatch(n -> n.getAttribute(0).getI() == -1);
        assertThat(nodes.stream().filter(n -> n.getOpType().equals("Flatten"))).hasSize(2);

        long[][] ids = TinyModels.ids(3, 7, 2);
        long[][] mask = TinyModels.ones(3, 7);
        mask[1][6] = 0;
        float[][][] before = TinyModels.run(OnnxGraphs.toBytes(model), ids, mask);
        float[][][] after = TinyModels.run(OnnxGraphs.toBytes(upgraded), ids, mask);
        for (int b = 0; b < before.length; b++) {
            for (int t = 0; t < before[b].length; t++) {
                for (int h = 0; h < before[b][t].length; h++) {
                    assertThat(after[b][t][h]).isCloseTo(before[b][t][h], org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
        }
    }

    @Test
    void aModelAtOpset13IsReturnedAsIs() {
        ModelProto model = OpsetUpgrade.toOpset13(TinyModels.tiny().build()).model();
        assertThat(OpsetUpgrade.toOpset13(model).model()).isSameAs(model);
    }

    @Test
    void anOpThatChangedMeaningIsRefusedByName() {
        ModelProto model = TinyModels.tiny().build();
        GraphProto graph = model.getGraph().toBuilder()
                .addNode(NodeProto.newBuilder().setOpType("Resize").setName("the-resize").addInput("x").addOutput("y"))
                .build();
        OpsetUpgrade.Result result = OpsetUpgrade.toOpset13(model.toBuilder().setGraph(graph).build());
        assertThat(result.upgraded()).isFalse();
        assertThat(result.refusal()).contains("the-resize").contains("Resize");
    }

    @Test
    void aSubgraphIsRefused() {
        ModelProto model = TinyModels.tiny().build();
        GraphProto graph = model.getGraph().toBuilder()
                .addNode(NodeProto.newBuilder().setOpType("If").setName("branch").addInput("c").addOutput("y")
                        .addAttribute(AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH)
                                .setG(GraphProto.newBuilder().setName("then"))))
                .build();
        OpsetUpgrade.Result result = OpsetUpgrade.toOpset13(model.toBuilder().setGraph(graph).build());
        assertThat(result.upgraded()).isFalse();
        assertThat(result.refusal()).contains("branch").contains("subgraph");
    }
}
