package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.InvalidProtocolBufferException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Per-layer sensitivity: the quality lost when each encoder layer alone is pruned (a method at an
 * amount), measured by a caller-given scorer (e.g. mean cosine to the original on calibration
 * sentences, or STS-B Spearman, through ONNX Runtime or the evaluation harness: this module has no
 * runtime). {@link #layersWithinBudget} then picks the layers to prune under a quality budget,
 * least sensitive first, assuming the losses add up (a first-order estimate: check the result).
 */
public final class SensitivityAnalysis {

    /** Scores a model; higher is better. */
    @FunctionalInterface
    public interface Scorer {
        double score(ModelProto model) throws Exception;
    }

    /** @param loss baseline score minus the score with only this layer pruned */
    public record LayerSensitivity(int layer, double score, double loss) {
    }

    /**
     * @param baseline the unpruned model's score
     * @param layers   one entry per encoder layer, in layer order
     */
    public record Report(PruningMethod method, double amount, double baseline, List<LayerSensitivity> layers) {
        public Report {
            layers = List.copyOf(layers);
        }
    }

    private SensitivityAnalysis() {
    }

    /**
     * @throws IllegalArgumentException when the model cannot be pruned by the method (the outcome's message)
     * @throws Exception                what the scorer throws
     */
    public static Report analyse(byte[] source, PruningMethod method, double amount, Scorer scorer) throws Exception {
        ModelProto original;
        try {
            original = ModelProto.parseFrom(source);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
        EncoderBlocks blocks = EncoderBlocks.find(new GraphEditor(original.getGraph()));
        int layers = Math.max(blocks.feedForwards().size(), blocks.attentions().size());
        if (layers == 0) {
            throw new IllegalArgumentException("no encoder layer found (no feed-forward block and no attention block"
                    + " this module can prune)");
        }
        double baseline = scorer.score(original);
        Pruner pruner = new Pruner();
        List<LayerSensitivity> result = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            PruningOutcome outcome = pruner.prune(source, PruningRequest.of(method, amount).withLayers(Set.of(layer)));
            if (outcome instanceof PruningOutcome.Failed failed) {
                throw new IllegalArgumentException("layer " + layer + " cannot be pruned: " + failed.reason() + ": "
                        + failed.message());
            }
            double score = scorer.score(((PruningOutcome.Pruned) outcome).model());
            result.add(new LayerSensitivity(layer, score, baseline - score));
        }
        return new Report(method, amount, baseline, result);
    }

    /** The least sensitive layers whose losses sum to at most {@code budget} (ties: lower layer first). */
    public static SortedSet<Integer> layersWithinBudget(Report report, double budget) {
        List<LayerSensitivity> order = new ArrayList<>(report.layers());
        order.sort(Comparator.comparingDouble(LayerSensitivity::loss).thenComparingInt(LayerSensitivity::layer));
        SortedSet<Integer> chosen = new TreeSet<>();
        double spent = 0;
        for (LayerSensitivity layer : order) {
            double cost = Math.max(0, layer.loss());
            if (spent + cost > budget) {
                break;
            }
            spent += cost;
            chosen.add(layer.layer());
        }
        return chosen;
    }
}
