package dev.verdant.evaluation;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.TinyBertBuilder;

import java.io.IOException;
import java.nio.file.Path;

/** Tiny BERT-shaped models for the evaluator's tests, and the graph edits that vary them. */
final class TinyModels {

    /** Whole STS words fit besides letters, so sentences stay short (about 12 tokens). */
    static final int VOCABULARY = 600;
    static final int POSITIONS = 128;

    private TinyModels() {
    }

    static TinyBertBuilder builder(long seed) {
        return TinyBertBuilder.tiny().vocabulary(VOCABULARY).maxPositions(POSITIONS).seed(seed);
    }

    static Path write(TinyBertBuilder builder, Path file) throws IOException {
        return builder.writeTo(file);
    }

    /**
     * DistilBERT-style: no token_type_ids input. The token-type Gather goes, and the Add that summed
     * word and type vectors becomes an Identity of the word vectors.
     */
    static Path withoutTokenTypes(TinyBertBuilder builder, Path file) throws IOException {
        ModelProto model = builder.build();
        GraphProto.Builder graph = model.getGraph().toBuilder();
        String typeVectors = null;
        for (int i = graph.getNodeCount() - 1; i >= 0; i--) {
            NodeProto node = graph.getNode(i);
            if (node.getName().equals("/embeddings/token_type_embeddings/Gather")) {
                typeVectors = node.getOutput(0);
                graph.removeNode(i);
            }
        }
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            if (node.getOpType().equals("Add") && node.getInputList().contains(typeVectors)) {
                String word = node.getInput(0).equals(typeVectors) ? node.getInput(1) : node.getInput(0);
                graph.setNode(i, node.toBuilder().setOpType("Identity").clearInput().addInput(word).build());
            }
        }
        removeInput(graph, "token_type_ids");
        for (int i = graph.getInitializerCount() - 1; i >= 0; i--) {
            if (graph.getInitializer(i).getName().equals("embeddings.token_type_embeddings.weight")) {
                graph.removeInitializer(i);
            }
        }
        OnnxGraphs.write(model.toBuilder().setGraph(graph).build(), file);
        return file;
    }

    /** Only BERT's pooler_output [batch, hidden] as output: nothing to mean-pool. */
    static Path pooledOutputOnly(TinyBertBuilder builder, Path file) throws IOException {
        ModelProto model = builder.pooledOutput(true).build();
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = graph.getOutputCount() - 1; i >= 0; i--) {
            if (graph.getOutput(i).getName().equals("last_hidden_state")) {
                graph.removeOutput(i);
            }
        }
        OnnxGraphs.write(model.toBuilder().setGraph(graph).build(), file);
        return file;
    }

    private static void removeInput(GraphProto.Builder graph, String name) {
        for (int i = graph.getInputCount() - 1; i >= 0; i--) {
            if (graph.getInput(i).getName().equals(name)) {
                graph.removeInput(i);
            }
        }
    }
}
