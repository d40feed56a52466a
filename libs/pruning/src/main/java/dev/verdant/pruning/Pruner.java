package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The one entry point of pruning, for the service and the CLI: ONNX in, ONNX out, standard ops only.
 *
 * <pre>
 * PruningOutcome outcome = new Pruner().prune(Path.of("model.onnx"), PruningRequest.of(PruningMethod.FFN, 0.25));
 * if (outcome instanceof PruningOutcome.Pruned pruned) { Pruner.write(pruned, Path.of("out.onnx")); }
 * </pre>
 *
 * <ul>
 *   <li>ffn: removes feed-forward neurons ({@link FeedForwardPruning}): the matrices shrink.</li>
 *   <li>heads: removes attention heads ({@link HeadPruning}), never all of a layer.</li>
 *   <li>lowrank: factorizes MatMul weights by truncated SVD ({@link LowRank}) where that saves work.</li>
 *   <li>unstructured: zeroes the least important weights ({@link MagnitudePruning}: |w|, or Wanda's
 *       |w| x ||x|| with calibration) and stores them compactly
 *       ({@link SparseStorage}): a smaller file, no faster inference on dense runtimes.</li>
 * </ul>
 * The output's metadata_props carry verdant.technique (prune), verdant.method, verdant.amount,
 * verdant.scope, verdant.criterion (what ranked the units: {@link PruningRequest#criterion()}),
 * verdant.calibration (the texts and token count, when calibrated), verdant.source-sha256 and
 * verdant.version.
 */
public final class Pruner {

    /** The method names the recipe and the CLI accept. */
    public static final List<String> METHODS = PruningMethod.wireNames();
    /** Written to verdant.version. */
    public static final String VERSION = "pruning/1";

    public PruningOutcome prune(Path model, PruningRequest request) throws IOException {
        return prune(Files.readAllBytes(model), request);
    }

    public PruningOutcome prune(byte[] source, PruningRequest request) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(source);
        } catch (InvalidProtocolBufferException e) {
            return failed(PruningOutcome.Reason.CORRUPT_INPUT, "not an ONNX model: " + e.getMessage());
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            return failed(PruningOutcome.Reason.CORRUPT_INPUT,
                    "not an ONNX model: no graph or no nodes (" + source.length + " bytes)");
        }
        for (TensorProto tensor : model.getGraph().getInitializerList()) {
            if (Tensors.isExternal(tensor)) {
                return failed(PruningOutcome.Reason.EXTERNAL_DATA, "initializer " + tensor.getName()
                        + " is stored in external data (" + Tensors.externalLocation(tensor).orElse("?")
                        + "): give a self-contained model");
            }
        }
        GraphEditor graph = new GraphEditor(model.getGraph());
        EncoderBlocks blocks = EncoderBlocks.find(graph);
        List<String> notes = new ArrayList<>();
        if (request.recoverySteps() > 0) {
            notes.add("recoverySteps " + request.recoverySteps() + " asked for: recovery training is not supported yet,"
                    + " the model is pruned one-shot without it");
        }
        List<PruningOutcome.LayerCount> counts = new ArrayList<>();
        try {
            PruningOutcome.Failed failure = switch (request.method()) {
                case FFN -> Methods.feedForward(graph, blocks, request, counts, notes);
                case HEADS -> Methods.heads(graph, blocks, request, counts, notes);
                case LOWRANK -> Methods.lowRank(graph, blocks, request, counts, notes);
                case UNSTRUCTURED -> Methods.unstructured(graph, blocks, request, opset(model), counts, notes);
            };
            if (failure != null) {
                return failure;
            }
        } catch (IllegalArgumentException malformed) {
            return failed(PruningOutcome.Reason.CORRUPT_INPUT, "a tensor of the model cannot be read: "
                    + malformed.getMessage());
        }
        GraphProto rewritten = graph.build();
        ModelProto.Builder out = model.toBuilder().setGraph(rewritten);
        List<StringStringEntryProto> metadata = new ArrayList<>();
        for (StringStringEntryProto entry : model.getMetadataPropsList()) {
            if (!entry.getKey().startsWith("verdant.")) {
                metadata.add(entry);
            }
        }
        metadata.add(entry("verdant.technique", "prune"));
        metadata.add(entry("verdant.method", request.method().wireName()));
        metadata.add(entry("verdant.amount", String.format(Locale.ROOT, "%s", request.amount())));
        metadata.add(entry("verdant.scope", request.scope().wireName()));
        metadata.add(entry("verdant.criterion", request.criterion()));
        request.calibration().ifPresent(stats -> metadata.add(entry("verdant.calibration", stats.describe())));
        metadata.add(entry("verdant.source-sha256", sha256(source)));
        metadata.add(entry("verdant.version", VERSION));
        out.clearMetadataProps().addAllMetadataProps(metadata);
        ModelProto result = out.build();
        return new PruningOutcome.Pruned(result, new PruningOutcome.Report(request.method(), request.amount(),
                request.scope(), GraphEditor.parameters(model.getGraph()), GraphEditor.parameters(rewritten),
                source.length, result.getSerializedSize(), counts, notes));
    }

    /** Writes a pruned model (a convenience over {@link OnnxGraphs#write}). */
    public static void write(PruningOutcome.Pruned pruned, Path file) throws IOException {
        OnnxGraphs.write(pruned.model(), file);
    }

    /**
     * An unstructured-pruned model with its compact weights written back as dense float
     * initializers: the same computation, the original file size. For tools that read weights from
     * initializers only (Verdant's own ONNX inspector, hence the evaluation service, does so today).
     * Other models come back unchanged.
     */
    public static ModelProto densify(ModelProto model) {
        return SparseStorage.densify(model);
    }

    static PruningOutcome.Failed failed(PruningOutcome.Reason reason, String message) {
        return new PruningOutcome.Failed(reason, message);
    }

    private static long opset(ModelProto model) {
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            if (opset.getDomain().isEmpty() || opset.getDomain().equals("ai.onnx")) {
                return opset.getVersion();
            }
        }
        return 0;
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Names a node for messages. */
    static String name(NodeProto node, int index) {
        return node.getName().isEmpty() ? node.getOpType() + "_" + index : node.getName();
    }
}
