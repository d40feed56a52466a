package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The embedding lookups at the bottom of an encoder: Gather nodes that index a stored
 * {@code [rows, hidden]} table (float, or uint8 when quantized) along axis 0.
 *
 * <p>Roles come from structure: the word table is the largest table indexed straight from a
 * graph input (the token ids). Of the other tables of the same width, one indexed from another
 * graph input is the token-type table (token_type_ids), one whose indices are computed in the
 * graph is the learned position table (BERT exports Slice a position_ids buffer). When both are
 * fed or both computed, the smaller is the token-type table; a lone extra table is taken for
 * token types if it has at most {@value #MAX_TOKEN_TYPES} rows.
 *
 * @param vocabularySize rows of the word table
 * @param hiddenSize     its width
 * @param tokenIdsInput  the graph input holding token ids
 * @param maxPositions   rows of the position table, 0 if none
 * @param tokenTypes     rows of the token-type table, 0 if none
 * @param tokenTypeInput the graph input feeding the token-type table, if any
 */
record EmbeddingTables(long vocabularySize, long hiddenSize, String tokenIdsInput, long maxPositions,
                       long tokenTypes, Optional<String> tokenTypeInput) {

    /** BERT has 2 segment types, RoBERTa 1; no real vocabulary or position table is this small. */
    static final int MAX_TOKEN_TYPES = 16;

    private record Lookup(long rows, long width, Optional<String> graphInput) {
    }

    static Optional<EmbeddingTables> find(GraphIndex index) {
        List<Lookup> lookups = new ArrayList<>();
        for (NodeProto node : index.graph().getNodeList()) {
            if (!node.getOpType().equals("Gather") || node.getInputCount() < 2
                    || GraphIndex.intAttribute(node, "axis").orElse(0L) != 0) {
                continue;
            }
            index.weight(node.getInput(0))
                    .filter(GraphIndex.Weight::isMatrix)
                    .ifPresent(table -> lookups.add(new Lookup(table.dims()[0], table.dims()[1],
                            index.graphInputBehind(node.getInput(1)))));
        }
        Optional<Lookup> word = lookups.stream()
                .filter(lookup -> lookup.graphInput().isPresent())
                .max(Comparator.comparingLong(Lookup::rows));
        if (word.isEmpty()) {
            return Optional.empty();
        }
        long hidden = word.get().width();
        List<Lookup> others = lookups.stream()
                .filter(lookup -> lookup != word.get() && lookup.width() == hidden)
                .toList();
        List<Lookup> fed = others.stream().filter(lookup -> lookup.graphInput().isPresent()).toList();
        List<Lookup> computed = others.stream().filter(lookup -> lookup.graphInput().isEmpty()).toList();
        Optional<Lookup> tokenType = Optional.empty();
        Optional<Lookup> position = Optional.empty();
        if (!fed.isEmpty() && !computed.isEmpty()) {
            // The usual export: token_type_ids is an input, position ids are computed in the graph.
            tokenType = fed.stream().min(Comparator.comparingLong(Lookup::rows));
            position = computed.stream().max(Comparator.comparingLong(Lookup::rows));
        } else if (fed.size() >= 2 || computed.size() >= 2) {
            // Both fed (a position_ids input) or both computed (token types folded to zeros):
            // segment types are few, positions many.
            List<Lookup> group = fed.isEmpty() ? computed : fed;
            tokenType = group.stream().min(Comparator.comparingLong(Lookup::rows));
            position = group.stream().max(Comparator.comparingLong(Lookup::rows));
        } else if (others.size() == 1) {
            Lookup only = others.get(0);
            if (only.rows() <= MAX_TOKEN_TYPES) {
                tokenType = Optional.of(only);
            } else {
                position = Optional.of(only);
            }
        }
        return Optional.of(new EmbeddingTables(
                word.get().rows(), hidden, word.get().graphInput().orElseThrow(),
                position.map(Lookup::rows).orElse(0L),
                tokenType.map(Lookup::rows).orElse(0L),
                tokenType.flatMap(Lookup::graphInput)));
    }
}
