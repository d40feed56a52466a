package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataLocation;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads and makes ONNX tensors (initializers, Constant values).
 *
 * <p>ONNX stores a tensor's values either in {@code raw_data} (little-endian, packed) or in the
 * typed repeated field of its storage class: {@code float_data} for float, {@code int32_data} for
 * every type of 32 bits or less other than float (int8, uint8, int16, uint16, bool, float16 and
 * bfloat16 as their bit patterns), {@code int64_data} for int64, {@code uint64_data} for uint32 and
 * uint64, {@code double_data} for double. Real files mix both: ONNX Runtime's INT8 MiniLM keeps
 * weights in raw_data, scales in float_data and zero points in int32_data.
 */
public final class Tensors {

    private Tensors() {
    }

    /**
     * Number of elements: the product of the dims (1 for a scalar, whose dims are empty).
     *
     * @throws IllegalArgumentException on a negative dim or a product beyond {@code Long.MAX_VALUE}
     */
    public static long elementCount(TensorProto tensor) {
        long count = 1;
        for (long dim : tensor.getDimsList()) {
            if (dim < 0) {
                throw new IllegalArgumentException(
                        "tensor '" + tensor.getName() + "' has a negative dimension: " + tensor.getDimsList());
            }
            try {
                count = Math.multiplyExact(count, dim);
            } catch (ArithmeticException overflow) {
                throw new IllegalArgumentException(
                        "tensor '" + tensor.getName() + "' declares more than 2^63 elements: " + tensor.getDimsList(),
                        overflow);
            }
        }
        return count;
    }

    public static long[] dims(TensorProto tensor) {
        return tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** True when the values live in a file beside the model instead of inside it. */
    public static boolean isExternal(TensorProto tensor) {
        return tensor.getDataLocation() == DataLocation.EXTERNAL || tensor.getExternalDataCount() > 0;
    }

    /** The {@code location} entry of an external tensor (a path relative to the model file). */
    public static Optional<String> externalLocation(TensorProto tensor) {
        return tensor.getExternalDataList().stream()
                .filter(entry -> "location".equals(entry.getKey()))
                .map(StringStringEntryProto::getValue)
                .findFirst();
    }

    /**
     * Values of a floating-point tensor (float, double, float16, bfloat16) as float.
     *
     * @throws IllegalArgumentException for other element types, external data, or a value count
     *                                  that does not match the dims
     */
    public static float[] toFloats(TensorProto tensor) {
        int count = checkedCount(tensor);
        ByteString raw = tensor.getRawData();
        float[] values = new float[count];
        switch (tensor.getDataType()) {
            case DataType.FLOAT_VALUE -> {
                if (!raw.isEmpty()) {
                    expectRawBytes(tensor, raw, (long) count * 4);
                    little(raw).asFloatBuffer().get(values);
                } else {
                    expectTyped(tensor, tensor.getFloatDataCount(), count);
                    for (int i = 0; i < count; i++) {
                        values[i] = tensor.getFloatData(i);
                    }
                }
            }
            case DataType.DOUBLE_VALUE -> {
                if (!raw.isEmpty()) {
                    expectRawBytes(tensor, raw, (long) count * 8);
                    var doubles = little(raw).asDoubleBuffer();
                    for (int i = 0; i < count; i++) {
                        values[i] = (float) doubles.get(i);
                    }
                } else {
                    expectTyped(tensor, tensor.getDoubleDataCount(), count);
                    for (int i = 0; i < count; i++) {
                        values[i] = (float) tensor.getDoubleData(i);
                    }
                }
            }
            case DataType.FLOAT16_VALUE, DataType.BFLOAT16_VALUE -> {
                boolean brain = tensor.getDataType() == DataType.BFLOAT16_VALUE;
                int[] bits = halfBits(tensor, count);
                for (int i = 0; i < count; i++) {
                    values[i] = brain ? Float.intBitsToFloat(bits[i] << 16) : halfToFloat(bits[i]);
                }
            }
            default -> throw new IllegalArgumentException("tensor '" + tensor.getName() + "' holds "
                    + ElementTypes.name(tensor.getDataType()) + ", not a floating-point type");
        }
        return values;
    }

    /**
     * Values of an integer or bool tensor as long (uint64 values above 2^63 wrap, as Java longs do).
     *
     * @throws IllegalArgumentException for non-integer types, external data or a count mismatch
     */
    public static long[] toLongs(TensorProto tensor) {
        int count = checkedCount(tensor);
        ByteString raw = tensor.getRawData();
        long[] values = new long[count];
        int type = tensor.getDataType();
        if (!raw.isEmpty()) {
            long width = ElementTypes.rawByteCount(type, 1);
            if (!ElementTypes.isInteger(type) && type != DataType.BOOL_VALUE) {
                throw notInteger(tensor);
            }
            expectRawBytes(tensor, raw, count * width);
            ByteBuffer buffer = little(raw);
            for (int i = 0; i < count; i++) {
                values[i] = switch (type) {
                    case DataType.INT8_VALUE -> buffer.get(i);
                    case DataType.UINT8_VALUE -> buffer.get(i) & 0xFF;
                    case DataType.BOOL_VALUE -> buffer.get(i) != 0 ? 1 : 0;
                    case DataType.INT16_VALUE -> buffer.getShort(i * 2);
                    case DataType.UINT16_VALUE -> buffer.getShort(i * 2) & 0xFFFF;
                    case DataType.INT32_VALUE -> buffer.getInt(i * 4);
                    case DataType.UINT32_VALUE -> buffer.getInt(i * 4) & 0xFFFF_FFFFL;
                    default -> buffer.getLong(i * 8); // int64, uint64
                };
            }
            return values;
        }
        switch (type) {
            case DataType.INT8_VALUE, DataType.UINT8_VALUE, DataType.INT16_VALUE, DataType.UINT16_VALUE,
                    DataType.INT32_VALUE, DataType.BOOL_VALUE -> {
                expectTyped(tensor, tensor.getInt32DataCount(), count);
                for (int i = 0; i < count; i++) {
                    values[i] = tensor.getInt32Data(i);
                }
            }
            case DataType.INT64_VALUE -> {
                expectTyped(tensor, tensor.getInt64DataCount(), count);
                for (int i = 0; i < count; i++) {
                    values[i] = tensor.getInt64Data(i);
                }
            }
            case DataType.UINT32_VALUE, DataType.UINT64_VALUE -> {
                expectTyped(tensor, tensor.getUint64DataCount(), count);
                for (int i = 0; i < count; i++) {
                    values[i] = tensor.getUint64Data(i);
                }
            }
            default -> throw notInteger(tensor);
        }
        return values;
    }

    /** A float tensor with its values in raw_data (little-endian), as exporters write weights. */
    public static TensorProto ofFloats(String name, long[] dims, float[] values) {
        requireCount(name, dims, values.length);
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return TensorProto.newBuilder()
                .setName(name)
                .setDataType(DataType.FLOAT_VALUE)
                .addAllDims(Arrays.stream(dims).boxed().toList())
                .setRawData(ByteString.copyFrom(buffer.array()))
                .build();
    }

    /** An int64 tensor with its values in raw_data (little-endian). */
    public static TensorProto ofLongs(String name, long[] dims, long[] values) {
        requireCount(name, dims, values.length);
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(values);
        return TensorProto.newBuilder()
                .setName(name)
                .setDataType(DataType.INT64_VALUE)
                .addAllDims(Arrays.stream(dims).boxed().toList())
                .setRawData(ByteString.copyFrom(buffer.array()))
                .build();
    }

    /**
     * IEEE 754 half (1 sign, 5 exponent, 10 mantissa bits, bias 15) to float (bias 127):
     * normal numbers re-bias the exponent by 127 - 15 = 112; subnormals are m x 2^-24.
     */
    static float halfToFloat(int bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static int[] halfBits(TensorProto tensor, int count) {
        int[] bits = new int[count];
        ByteString raw = tensor.getRawData();
        if (!raw.isEmpty()) {
            expectRawBytes(tensor, raw, (long) count * 2);
            ByteBuffer buffer = little(raw);
            for (int i = 0; i < count; i++) {
                bits[i] = buffer.getShort(i * 2) & 0xFFFF;
            }
        } else {
            expectTyped(tensor, tensor.getInt32DataCount(), count);
            for (int i = 0; i < count; i++) {
                bits[i] = tensor.getInt32Data(i) & 0xFFFF;
            }
        }
        return bits;
    }

    private static int checkedCount(TensorProto tensor) {
        if (isExternal(tensor)) {
            throw new IllegalArgumentException("tensor '" + tensor.getName()
                    + "' keeps its data outside the model file (" + externalLocation(tensor).orElse("no location") + ")");
        }
        long count = elementCount(tensor);
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + tensor.getName() + "' has " + count
                    + " elements, more than a Java array holds");
        }
        return (int) count;
    }

    private static ByteBuffer little(ByteString raw) {
        return raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void expectRawBytes(TensorProto tensor, ByteString raw, long expected) {
        if (raw.size() != expected) {
            throw new IllegalArgumentException("tensor '" + tensor.getName() + "' has " + raw.size()
                    + " bytes of raw_data, its dims " + tensor.getDimsList() + " need " + expected);
        }
    }

    private static void expectTyped(TensorProto tensor, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("tensor '" + tensor.getName() + "' stores " + actual
                    + " values, its dims " + tensor.getDimsList() + " need " + expected);
        }
    }

    private static void requireCount(String name, long[] dims, int values) {
        long expected = 1;
        for (long dim : dims) {
            expected *= dim;
        }
        if (expected != values) {
            throw new IllegalArgumentException("tensor '" + name + "': dims " + Arrays.toString(dims)
                    + " need " + expected + " values, got " + values);
        }
    }

    private static IllegalArgumentException notInteger(TensorProto tensor) {
        return new IllegalArgumentException("tensor '" + tensor.getName() + "' holds "
                + ElementTypes.name(tensor.getDataType()) + ", not an integer type");
    }
}
