package dev.verdant.evaluation;

import dev.verdant.onnx.EncoderArchitecture;
import dev.verdant.onnx.Inspection;
import dev.verdant.onnx.ModelFacts;
import dev.verdant.onnx.OnnxModelInspector;
import dev.verdant.onnx.TensorSignature;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How to feed a model and which output to pool, discovered from its graph rather than assumed:
 * exporters name and order inputs differently, DistilBERT-style models have no token_type_ids,
 * and some graphs add a pooled output beside the token vectors.
 *
 * <p>Inputs are recognised by name among the int64 (or int32) [batch, sequence] graph inputs:
 * "mask" is the attention mask, "type"/"segment" the token types, "ids" the token ids. The output
 * is the float [batch, sequence, hidden] one (hidden = the width of the word-embedding table),
 * last_hidden_state when several qualify.
 *
 * @param inputs       every graph input, in the model's order, with what to put in it
 * @param output       the [batch, sequence, hidden] output to pool
 * @param hiddenSize   embedding width
 * @param vocabularyRows rows of the word-embedding table: token ids must be below this
 * @param tokenTypes   rows of the token-type table (0 if none): type ids must be below this
 * @param maxPositions rows of the learned position table (0 if none): sequences cannot be longer
 * @param facts        what the inspector measured (size, parameters, sha256)
 */
record ModelBinding(List<FedInput> inputs, String output, int hiddenSize, int vocabularyRows, int tokenTypes,
        int maxPositions, ModelFacts facts) {

    /** What an input receives. */
    enum Feed { TOKEN_IDS, ATTENTION_MASK, TOKEN_TYPES }

    /** @param int32 the input is int32 rather than the usual int64 */
    record FedInput(String name, Feed feed, boolean int32) {
    }

    ModelBinding {
        inputs = List.copyOf(inputs);
    }

    /**
     * Inspects the file (the same checks as upload: a valid, self-contained ONNX encoder) and binds it.
     *
     * @param role "model" or "baseline model", for messages
     */
    static ModelBinding inspect(Path file, String role) throws EvaluationFailure {
        Inspection inspection = new OnnxModelInspector().inspect(file);
        if (inspection instanceof Inspection.Rejected rejected) {
            FailureReason reason = switch (rejected.reason()) {
                case STORAGE_ERROR -> FailureReason.MODEL_UNREADABLE;
                case NOT_AN_ENCODER -> FailureReason.MODEL_UNSUPPORTED;
                default -> FailureReason.MODEL_MALFORMED;
            };
            throw new EvaluationFailure(reason, "The " + role + " '" + file.getFileName() + "' cannot be evaluated: "
                    + rejected.message());
        }
        return bind(((Inspection.Accepted) inspection).facts(), file, role);
    }

    static ModelBinding bind(ModelFacts facts, Path file, String role) throws EvaluationFailure {
        EncoderArchitecture architecture = facts.architecture();
        List<FedInput> fed = new ArrayList<>();
        for (TensorSignature input : facts.inputs()) {
            fed.add(feedFor(input, file, role));
        }
        if (fed.stream().noneMatch(input -> input.feed() == Feed.TOKEN_IDS)) {
            throw unsupported(file, role, "none of its inputs " + names(facts.inputs()) + " is the token ids"
                    + " (an int64 [batch, sequence] input named like input_ids)");
        }
        String output = pooledOutput(facts.outputs(), architecture.hiddenSize())
                .orElseThrow(() -> unsupported(file, role, "none of its outputs " + names(facts.outputs())
                        + " is a float [batch, sequence, " + architecture.hiddenSize() + "] tensor of token vectors"
                        + " (such as last_hidden_state) to mean-pool"));
        return new ModelBinding(fed, output, architecture.hiddenSize(), architecture.vocabularySize(),
                architecture.tokenTypes(), architecture.maxPositions(), facts);
    }

    Optional<FedInput> input(Feed feed) {
        return inputs.stream().filter(input -> input.feed() == feed).findFirst();
    }

    List<String> inputNames() {
        return inputs.stream().map(FedInput::name).toList();
    }

    private static FedInput feedFor(TensorSignature input, Path file, String role) throws EvaluationFailure {
        boolean int64 = input.elementType().equals("int64");
        boolean int32 = input.elementType().equals("int32");
        boolean matrix = !input.rankKnown() || input.shape().size() == 2;
        String name = input.name().toLowerCase(Locale.ROOT);
        Feed feed = null;
        if (name.contains("mask")) {
            feed = Feed.ATTENTION_MASK;
        } else if (name.contains("type") || name.contains("segment")) {
            feed = Feed.TOKEN_TYPES;
        } else if (name.contains("ids")) {
            feed = Feed.TOKEN_IDS;
        }
        if (feed == null || !(int64 || int32) || !matrix) {
            throw unsupported(file, role, "its input '" + input.name() + "' (" + input.elementType() + " "
                    + input.shape() + ") is not one Verdant can fill; it feeds int64 [batch, sequence] inputs named"
                    + " like input_ids, attention_mask and token_type_ids");
        }
        return new FedInput(input.name(), feed, int32);
    }

    private static Optional<String> pooledOutput(List<TensorSignature> outputs, int hidden) {
        List<TensorSignature> candidates = outputs.stream()
                .filter(output -> output.elementType().equals("float"))
                .filter(output -> output.rankKnown() && output.shape().size() == 3)
                .filter(output -> output.lastFixedDimension() == hidden || output.lastFixedDimension() == -1)
                .toList();
        return candidates.stream().filter(output -> output.name().equals("last_hidden_state")).findFirst()
                .or(() -> candidates.stream().findFirst())
                .map(TensorSignature::name);
    }

    private static List<String> names(List<TensorSignature> signatures) {
        return signatures.stream().map(TensorSignature::name).toList();
    }

    private static EvaluationFailure unsupported(Path file, String role, String problem) {
        return new EvaluationFailure(FailureReason.MODEL_UNSUPPORTED, "The " + role + " '" + file.getFileName()
                + "' cannot be evaluated: " + problem + ".");
    }
}
