package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;

import java.util.List;
import java.util.Objects;

/** What {@link Pruner} made of a model. */
public sealed interface PruningOutcome permits PruningOutcome.Pruned, PruningOutcome.Failed {

    /** The pruned model (not yet written: {@link Pruner#write}) and what was done. */
    record Pruned(ModelProto model, Report report) implements PruningOutcome {
        public Pruned {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(report, "report");
        }
    }

    /** Why nothing was produced. */
    record Failed(Reason reason, String message) implements PruningOutcome {
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    enum Reason {
        /** Not a parseable ONNX model, or one without a graph. */
        CORRUPT_INPUT,
        /** Weights stored outside the file (external data) are not read. */
        EXTERNAL_DATA,
        /** The graph lacks what the method works on (feed-forward pairs, attention blocks, float MatMul weights). */
        NOT_PRUNABLE,
        /** The request asks for nothing this model can give (e.g. lowrank where no matrix gains from factorizing). */
        NOTHING_TO_DO
    }

    /**
     * One pruned unit group: a layer's FFN neurons or heads, or one matrix's rank or nonzero weights.
     *
     * @param layer  encoder layer (0-based) the group belongs to
     * @param block  what it is, e.g. "ffn", "heads", or the weight's initializer name
     * @param unit   "neurons", "heads", "rank", "nonzero weights"
     * @param before units before
     * @param kept   units kept
     */
    record LayerCount(int layer, String block, String unit, long before, long kept) {
    }

    /**
     * @param method            the method applied
     * @param amount            the amount asked for
     * @param scope             per-layer or global
     * @param parametersBefore  elements of every initializer of the input
     * @param parametersAfter   elements of every initializer of the output (for unstructured: the
     *                          stored elements, values and indices, not the dense matrices rebuilt at load)
     * @param bytesBefore       serialized size of the input
     * @param bytesAfter        serialized size of the output
     * @param layers            per group, units before and kept
     * @param notes             what a reader should know: skipped matrices and why, unsupported options,
     *                          the no-speed-up caveat of unstructured sparsity
     */
    record Report(PruningMethod method, double amount, PruningScope scope, long parametersBefore,
            long parametersAfter, long bytesBefore, long bytesAfter, List<LayerCount> layers, List<String> notes) {
        public Report {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(scope, "scope");
            layers = List.copyOf(layers);
            notes = List.copyOf(notes);
        }
    }
}
