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
        // Softmax(axis 3) over the rank-4 attention scores (rank read from Transpose perms and Unsqueeze axes) is the
        // last axis: axis -1, no Flatten/Reshape around it (the evaluator's inspector looks for Softmax -> MatMul).
        assertThat(nodes.stream().filter(n -> n.getOpType().equals("Softmax")))
                .isNotEmpty().allMatch(n -> n.getAttribute(0).getI() == -1);
        assertThat(nodes.stream().filter(n -> n.getOpType().equals("Flatten"))).isEmpty();

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
    void aSoftmaxOverAnAxisOfUnknownRankKeepsOpset11sFlatteningAndComputesTheSame() throws Exception {
        // x [2, 3, 4] from a graph input without a shape; Softmax-11 with axis 1 normalises over the 12 values of each row.
        ai.onnx.proto.OnnxMl.ValueInfoProto x = TinyModels.input("x", 2, 3, 4).toBuilder()
                .setType(ai.onnx.proto.OnnxMl.TypeProto.newBuilder().setTensorType(
                        ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1))).build();
        ModelProto model = TinyModels.model(GraphProto.newBuilder().addInput(x)
                .addNode(NodeProto.newBuilder().setOpType("Softmax").setName("sm").addInput("x").addOutput("y")
                        .addAttribute(ModelSupport.intAttribute("axis", 1)))
                .addOutput(TinyModels.input("y", 2, 3, 4)).build());
        OpsetUpgrade.Result result = OpsetUpgrade.toOpset13(model);
        assertThat(result.upgraded()).isTrue();
        assertThat(result.model().getGraph().getNodeList().stream().map(NodeProto::getOpType))
                .containsExactly("Flatten", "Softmax", "Shape", "Reshape");
        float[][][] input = new float[2][3][4];
        for (int i = 0; i < 24; i++) {
            input[i / 12][(i / 4) % 3][i % 4] = (i % 7) * 0.3f;
        }
        float[][][] before = runSoftmax(OnnxGraphs.toBytes(model), input);
        float[][][] after = runSoftmax(OnnxGraphs.toBytes(result.model()), input);
        double rowSum = 0;
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    assertThat(after[b][i][j]).isCloseTo(before[b][i][j], org.assertj.core.data.Offset.offset(1e-6f));
                    rowSum += b == 0 ? after[b][i][j] : 0;
                }
            }
        }
        assertThat(rowSum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5)); // one distribution over [3, 4]
    }

    private static float[][][] runSoftmax(byte[] model, float[][][] x) throws Exception {
        try (ai.onnxruntime.OrtSession session = TinyModels.ENVIRONMENT.createSession(model, new ai.onnxruntime.OrtSession.SessionOptions());
                ai.onnxruntime.OnnxTensor input = ai.onnxruntime.OnnxTensor.createTensor(TinyModels.ENVIRONMENT, x);
                ai.onnxruntime.OrtSession.Result result = session.run(java.util.Map.of("x", input))) {
            return (float[][][]) result.get(0).getValue();
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
