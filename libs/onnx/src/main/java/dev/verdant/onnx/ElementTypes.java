package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;

/**
 * Names and storage widths of ONNX tensor element types (TensorProto.DataType numbers).
 *
 * <p>The width matters because a tensor's {@code raw_data} must hold exactly
 * {@code elements x width} bytes; 4-bit types pack two elements per byte, so their byte count is
 * {@code ceil(elements / 2)}.
 */
final class ElementTypes {

    private ElementTypes() {
    }

    /** Lower-case ONNX name ("float", "int64", ...), or "type#N" for a number this build does not know. */
    static String name(int dataType) {
        DataType type = DataType.forNumber(dataType);
        if (type == null) {
            return switch (dataType) {
                case 23 -> "float4e2m1";
                default -> "type#" + dataType;
            };
        }
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Bytes needed to store {@code elements} elements of this type in raw_data, or -1 when the
     * type has no fixed width (string, undefined, unknown).
     */
    static long rawByteCount(int dataType, long elements) {
        return switch (dataType) {
            case DataType.FLOAT_VALUE, DataType.INT32_VALUE, DataType.UINT32_VALUE -> elements * 4;
            case DataType.DOUBLE_VALUE, DataType.INT64_VALUE, DataType.UINT64_VALUE,
                    DataType.COMPLEX64_VALUE -> elements * 8;
            case DataType.COMPLEX128_VALUE -> elements * 16;
            case DataType.FLOAT16_VALUE, DataType.BFLOAT16_VALUE, DataType.INT16_VALUE,
                    DataType.UINT16_VALUE -> elements * 2;
            case DataType.UINT8_VALUE, DataType.INT8_VALUE, DataType.BOOL_VALUE,
                    DataType.FLOAT8E4M3FN_VALUE, DataType.FLOAT8E4M3FNUZ_VALUE,
                    DataType.FLOAT8E5M2_VALUE, DataType.FLOAT8E5M2FNUZ_VALUE -> elements;
            case DataType.UINT4_VALUE, DataType.INT4_VALUE, 23 -> (elements + 1) / 2;
            default -> -1;
        };
    }

    static boolean isInteger(int dataType) {
        return switch (dataType) {
            case DataType.INT8_VALUE, DataType.UINT8_VALUE, DataType.INT16_VALUE, DataType.UINT16_VALUE,
                    DataType.INT32_VALUE, DataType.UINT32_VALUE, DataType.INT64_VALUE,
                    DataType.UINT64_VALUE -> true;
            default -> false;
        };
    }
}
