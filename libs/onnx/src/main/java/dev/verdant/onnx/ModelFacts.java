package dev.verdant.onnx;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the inspector measured in an accepted model.
 *
 * @param irVersion         ONNX IR version of the file
 * @param opsetVersion      opset of the default ("" / "ai.onnx") domain
 * @param producerName      e.g. "pytorch"; empty when the file does not say
 * @param producerVersion   e.g. "2.0.1"; empty when the file does not say
 * @param inputs            graph inputs that are fed at run time (initializers excluded)
 * @param outputs           graph outputs
 * @param nodeCount         nodes of the main graph (subgraphs not counted)
 * @param opHistogram       node count per op type, sorted; ops outside the default domain are
 *                          keyed "domain:Op" (e.g. "com.microsoft:Attention")
 * @param initializerCount  initializers (weights and constant buffers)
 * @param parameterCount    sum of the element counts of every initializer, whatever its type:
 *                          float weights, int8 weights, quantization scales and zero points, and
 *                          integer buffers such as BERT's position_ids
 * @param fileSizeBytes     size of the file as read
 * @param sha256            lower-case hex SHA-256 of the file's bytes
 * @param architecture      the encoder found
 */
public record ModelFacts(
        long irVersion,
        long opsetVersion,
        String producerName,
        String producerVersion,
        List<TensorSignature> inputs,
        List<TensorSignature> outputs,
        int nodeCount,
        SortedMap<String, Integer> opHistogram,
        int initializerCount,
        long parameterCount,
        long fileSizeBytes,
        String sha256,
        EncoderArchitecture architecture) {

    public ModelFacts {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        opHistogram = Collections.unmodifiableSortedMap(new TreeMap<>(opHistogram));
    }
}
