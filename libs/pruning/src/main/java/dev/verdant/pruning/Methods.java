package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.verdant.onnx.Tensors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The four methods applied to a graph being edited; each returns null on success or the failure. */
final class Methods {

    private Methods() {
    }

    static PruningOutcome.Failed feedForward(GraphEditor graph, EncoderBlocks blocks, PruningRequest request,
            List<PruningOutcome.LayerCount> counts, List<String> notes) {
        if (blocks.feedForwards().isEmpty()) {
            return Pruner.failed(PruningOutcome.Reason.NOT_PRUNABLE, "no feed-forward block found (a MatMul with a"
                    + " [hidden, ffn] float weight, elementwise bias and activation, then a MatMul with an [ffn, hidden]"
                    + " weight)" + skippedSuffix(blocks));
        }
        notes.addAll(blocks.skipped().stream().filter(s -> s.startsWith("feed-forward")).toList());
        if (request.calibration().isPresent()) {
            for (EncoderBlocks.FeedForward block : blocks.feedForwards()) {
                PruningOutcome.Failed missing = covered(request.calibration().get(), block.actOut(), block.ffn(),
                        "the activation of feed-forward block " + block.layer());
                if (missing != null) {
                    return missing;
                }
            }
            notes.add("neuron importance mean|act| x ||W2 row|| from " + request.calibration().get().describe());
        }
        List<EncoderBlocks.FeedForward> chosen = blocks.feedForwards().stream()
                .filter(block -> request.includes(block.layer())).toList();
        if (chosen.isEmpty()) {
            return noLayer(request, blocks.feedForwards().size());
        }
        List<double[]> scores = FeedForwardPruning.importance(graph, chosen, request.calibration());
        List<int[]> kept = keep(scores, request);
        for (int b = 0; b < chosen.size(); b++) {
            EncoderBlocks.FeedForward block = chosen.get(b);
            FeedForwardPruning.keep(graph, block, kept.get(b));
            counts.add(new PruningOutcome.LayerCount(block.layer(), "ffn", "neurons", block.ffn(), kept.get(b).length));
        }
        return null;
    }

    static PruningOutcome.Failed heads(GraphEditor graph, EncoderBlocks blocks, PruningRequest request,
            List<PruningOutcome.LayerCount> counts, List<String> notes) {
        if (blocks.attentions().isEmpty()) {
            return Pruner.failed(PruningOutcome.Reason.NOT_PRUNABLE, "no attention block whose heads can be removed"
                    + " (Q, K, V as MatMul + bias split by a Reshape with a readable head count, merged by a Reshape"
                    + " into an output MatMul)" + skippedSuffix(blocks));
        }
        notes.addAll(blocks.skipped().stream().filter(s -> s.startsWith("attention")).toList());
        List<EncoderBlocks.Attention> chosen = blocks.attentions().stream()
                .filter(block -> request.includes(block.layer())).toList();
        if (chosen.isEmpty()) {
            return noLayer(request, blocks.attentions().size());
        }
        if (request.calibration().isPresent()) {
            for (EncoderBlocks.Attention block : chosen) {
                PruningOutcome.Failed missing = covered(request.calibration().get(), HeadPruning.context(graph, block),
                        block.heads() * block.headSize(), "the attention context of layer " + block.layer());
                if (missing != null) {
                    return missing;
                }
            }
            notes.add("head importance sqrt(sum ||ctx_j||^2 ||W_O row j||^2) from " + request.calibration().get().describe());
        }
        List<double[]> scores = HeadPruning.importance(graph, chosen, request.calibration());
        for (double[] score : scores) {
            if (request.scope() == PruningScope.PER_LAYER && Math.round(request.amount() * score.length) >= score.length) {
                notes.add(String.format(Locale.ROOT, "amount %s would remove every head of a layer; one head per layer"
                        + " is kept", request.amount()));
                break;
            }
        }
        List<int[]> kept = keep(scores, request);
        for (int b = 0; b < chosen.size(); b++) {
            EncoderBlocks.Attention block = chosen.get(b);
            HeadPruning.keep(graph, block, kept.get(b));
            counts.add(new PruningOutcome.LayerCount(block.layer(), "heads", "heads", block.heads(), kept.get(b).length));
        }
        return null;
    }

    static PruningOutcome.Failed lowRank(GraphEditor graph, EncoderBlocks blocks, PruningRequest request,
            List<PruningOutcome.LayerCount> counts, List<String> notes) {
        List<Integer> matmuls = weightMatMuls(graph, blocks, request);
        if (matmuls.isEmpty()) {
            return Pruner.failed(PruningOutcome.Reason.NOT_PRUNABLE, "no MatMul with a 2-D float weight of its own"
                    + (request.layers().isEmpty() ? "" : " in layers " + request.layers()));
        }
        if (request.scope() == PruningScope.GLOBAL) {
            notes.add("lowrank keeps the energy share per matrix; scope global is treated as per-layer");
        }
        List<String> skipped = new ArrayList<>();
        int factorized = 0;
        for (int index : matmuls) {
            NodeProto node = graph.node(index);
            Matrix w = Matrix.of(graph.initializer(node.getInput(1)).orElseThrow());
            LowRank.Factorization f = LowRank.factorize(w, request.amount());
            int full = Math.min(w.rows(), w.cols());
            double breakEven = LowRank.breakEvenRank(w.rows(), w.cols());
            int layer = blocks.layerOf(index);
            if (f.rank() >= breakEven) {
                skipped.add(String.format(Locale.ROOT, "%s [%d x %d] left dense: rank %d keeps %.1f%% of the energy,"
                        + " not below %d x %d / (%d + %d) = %.1f, so two MatMuls would cost more", w.name(), w.rows(),
                        w.cols(), f.rank(), 100 * f.energyKept(), w.rows(), w.cols(), w.rows(), w.cols(), breakEven));
                counts.add(new PruningOutcome.LayerCount(layer, w.name(), "rank", full, full));
                continue;
            }
            String name = Pruner.name(node, index);
            String a = graph.addInitializer(w.name() + "_lowrank_A",
                    Tensors.ofFloats("A", new long[] {w.rows(), f.rank()}, f.a()));
            String b = graph.addInitializer(w.name() + "_lowrank_B",
                    Tensors.ofFloats("B", new long[] {f.rank(), w.cols()}, f.b()));
            String middle = graph.freshName(name + "_lowrank/xA");
            graph.replaceNode(index, List.of(
                    GraphEditor.node("MatMul", graph.freshName(name + "_lowrank/A"), List.of(node.getInput(0), a), List.of(middle)),
                    GraphEditor.node("MatMul", graph.freshName(name + "_lowrank/B"), List.of(middle, b), node.getOutputList())));
            counts.add(new PruningOutcome.LayerCount(layer, w.name(), "rank", full, f.rank()));
            factorized++;
        }
        if (factorized == 0) {
            return Pruner.failed(PruningOutcome.Reason.NOTHING_TO_DO, String.format(Locale.ROOT, "no matrix gains from"
                    + " factorizing at %.1f%% of the energy kept: every one needs a rank at or above m n / (m + n)"
                    + " (e.g. %s); lower the amount (energy kept)", 100 * request.amount(), skipped.get(0)));
        }
        notes.addAll(skipped);
        return null;
    }

    static PruningOutcome.Failed unstructured(GraphEditor graph, EncoderBlocks blocks, PruningRequest request, long opset,
            List<PruningOutcome.LayerCount> counts, List<String> notes) {
        if (opset < SparseStorage.MIN_OPSET) {
            return Pruner.failed(PruningOutcome.Reason.NOT_PRUNABLE, "opset " + opset + " lacks CumSum and"
                    + " ScatterElements, which rebuild the compact weights: opset " + SparseStorage.MIN_OPSET
                    + " or higher is needed");
        }
        List<Integer> matmuls = weightMatMuls(graph, blocks, request);
        if (matmuls.isEmpty()) {
            return Pruner.failed(PruningOutcome.Reason.NOT_PRUNABLE, "no MatMul with a 2-D float weight of its own"
                    + (request.layers().isEmpty() ? "" : " in layers " + request.layers()));
        }
        List<Matrix> weights = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        for (int index : matmuls) {
            Matrix w = Matrix.of(graph.initializer(graph.node(index).getInput(1)).orElseThrow());
            weights.add(w);
            values.add(w.values());
        }
        boolean global = request.scope() == PruningScope.GLOBAL;
        if (request.calibration().isEmpty()) {
            MagnitudePruning.prune(values, request.amount(), global);
        } else {
            ActivationStatistics stats = request.calibration().get();
            List<float[]> scores = new ArrayList<>();
            for (int m = 0; m < matmuls.size(); m++) {
                NodeProto node = graph.node(matmuls.get(m));
                Matrix w = weights.get(m);
                PruningOutcome.Failed missing = covered(stats, node.getInput(0), w.rows(), "the input of MatMul "
                        + Pruner.name(node, matmuls.get(m)));
                if (missing != null) {
                    return missing;
                }
                scores.add(MagnitudePruning.wandaScores(w.values(), w.rows(), w.cols(), stats.rms().get(node.getInput(0))));
            }
            if (global) {
                MagnitudePruning.pruneByScore(values, scores, request.amount(), true);
            } else {
                for (int m = 0; m < matmuls.size(); m++) {
                    Matrix w = weights.get(m);
                    MagnitudePruning.prunePerOutput(values.get(m), scores.get(m), w.rows(), w.cols(), request.amount());
                }
            }
            notes.add((global ? "Wanda scores |W_ij| x ||X_i|| under one threshold over all matrices"
                    : "Wanda scores |W_ij| x ||X_i||, round(amount x rows) removed from each output's weights")
                    + ", input norms from " + stats.describe());
        }
        for (int m = 0; m < matmuls.size(); m++) {
            Matrix w = weights.get(m);
            long nonzero = 0;
            for (float v : w.values()) {
                if (v != 0) {
                    nonzero++;
                }
            }
            SparseStorage.store(graph, w.name(), w.rows(), w.cols(), w.values());
            counts.add(new PruningOutcome.LayerCount(blocks.layerOf(matmuls.get(m)), w.name(), "nonzero weights",
                    w.values().length, nonzero));
        }
        notes.add("unstructured sparsity shrinks the file only: the weights are rebuilt dense when the model is"
                + " loaded, so dense runtimes (ONNX Runtime on CPU) run it at the original speed and memory");
        notes.add("stored parameters count the compact form (nonzero values and their uint8 gaps), not the dense"
                + " matrices rebuilt at load");
        return null;
    }

    /** MatMuls with a float 2-D weight read by them alone, in included layers, in graph order. */
    private static List<Integer> weightMatMuls(GraphEditor graph, EncoderBlocks blocks, PruningRequest request) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < graph.nodeCount(); i++) {
            NodeProto node = graph.node(i);
            if (EncoderBlocks.weightDims(graph, node).isPresent() && graph.privateMatrix(node.getInput(1)).isPresent()
                    && request.includes(blocks.layerOf(i))) {
                found.add(i);
            }
        }
        return found;
    }

    private static List<int[]> keep(List<double[]> scores, PruningRequest request) {
        if (request.scope() == PruningScope.GLOBAL) {
            return Selection.keepGlobal(scores, request.amount());
        }
        List<int[]> kept = new ArrayList<>();
        for (double[] score : scores) {
            kept.add(Selection.keepTop(score, score.length - Selection.removedCount(score.length, request.amount())));
        }
        return kept;
    }

    private static PruningOutcome.Failed noLayer(PruningRequest request, int layers) {
        return Pruner.failed(PruningOutcome.Reason.NOTHING_TO_DO, "layers " + request.layers()
                + " were asked for; the model has " + layers + " (0 to " + (layers - 1) + ")");
    }

    /** A failure when the statistics lack {@code tensor} or have another width: they were measured on another model. */
    private static PruningOutcome.Failed covered(ActivationStatistics stats, String tensor, int width, String what) {
        float[] rms = stats.rms().get(tensor);
        float[] meanAbs = stats.meanAbs().get(tensor);
        if (rms == null || meanAbs == null) {
            return Pruner.failed(PruningOutcome.Reason.NOT_PRUNABLE, "the calibration statistics have nothing for "
                    + what + " (tensor '" + tensor + "'): they were measured on another model; calibrate this one");
        }
        if (rms.length != width || meanAbs.length != width) {
            return Pruner.failed(PruningOutcome.Reason.NOT_PRUNABLE, "the calibration statistics of " + what
                    + " (tensor '" + tensor + "') have " + rms.length + " features, the model " + width
                    + ": they were measured on another model; calibrate this one");
        }
        return null;
    }

    private static String skippedSuffix(EncoderBlocks blocks) {
        return blocks.skipped().isEmpty() ? "" : "; passed over: " + String.join("; ", blocks.skipped());
    }
}
