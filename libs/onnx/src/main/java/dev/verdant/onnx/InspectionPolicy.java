package dev.verdant.onnx;

/**
 * What the inspector accepts.
 *
 * @param maxFileBytes largest file parsed; checked on the file size before reading, at most
 *                     {@link OnnxGraphs#PROTOBUF_MAX_BYTES}. Parsing holds the whole model on the
 *                     heap (about 1x the file size: tensors stay as protobuf byte strings), so the
 *                     limit also bounds memory.
 * @param minIrVersion lowest IR version accepted (3: ONNX 1.0 with opset imports)
 * @param maxIrVersion highest IR version accepted (11: ONNX 1.18; newer files may use types
 *                     and fields this reader cannot see)
 * @param minOpset     lowest default-domain opset accepted
 * @param maxOpset     highest default-domain opset accepted
 */
public record InspectionPolicy(long maxFileBytes, long minIrVersion, long maxIrVersion, long minOpset, long maxOpset) {

    /** 1 GiB: BERT-large in fp32 is 1.34 GB, every base/small encoder fits. */
    public static final long DEFAULT_MAX_FILE_BYTES = 1L << 30;

    public InspectionPolicy {
        if (maxFileBytes < 1 || maxFileBytes > OnnxGraphs.PROTOBUF_MAX_BYTES) {
            throw new IllegalArgumentException("maxFileBytes must be in 1.." + OnnxGraphs.PROTOBUF_MAX_BYTES
                    + ", got " + maxFileBytes);
        }
        if (minIrVersion > maxIrVersion || minOpset > maxOpset) {
            throw new IllegalArgumentException("empty version range: IR " + minIrVersion + ".." + maxIrVersion
                    + ", opset " + minOpset + ".." + maxOpset);
        }
    }

    /** IR 3..11, opset 7..23, 1 GiB. */
    public static InspectionPolicy defaults() {
        return new InspectionPolicy(DEFAULT_MAX_FILE_BYTES, 3, 11, 7, 23);
    }

    public InspectionPolicy withMaxFileBytes(long bytes) {
        return new InspectionPolicy(bytes, minIrVersion, maxIrVersion, minOpset, maxOpset);
    }
}
