package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import dev.verdant.onnx.testing.RejectableModels;
import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorsTest {

    @Test
    void floatsFromRawDataAndFromFloatData() {
        float[] values = {1.5f, -2.25f, 0f, 3.4028235e38f, Float.MIN_VALUE, -0f};
        TensorProto raw = Tensors.ofFloats("w", new long[] {2, 3}, values);
        TensorProto typed = TensorProto.newBuilder().setName("w").setDataType(DataType.FLOAT_VALUE)
                .addAllDims(List.of(2L, 3L)).addAllFloatData(List.of(1.5f, -2.25f, 0f, 3.4028235e38f, Float.MIN_VALUE, -0f))
                .build();

        assertArrayEquals(values, Tensors.toFloats(raw));
        assertArrayEquals(values, Tensors.toFloats(typed));
        assertEquals(6, Tensors.elementCount(raw));
        // raw_data is little-endian: 1.5f = 0x3FC00000 -> 00 00 C0 3F
        assertEquals(ByteString.copyFrom(new byte[] {0, 0, (byte) 0xC0, 0x3F}), raw.getRawData().substring(0, 4));
    }

    @Test
    void halfPrecision() {
        // 0x3C00 = 1.0, 0xC000 = -2.0, 0x7BFF = 65504 (largest half), 0x0001 = 2^-24 (smallest subnormal)
        TensorProto half = TensorProto.newBuilder().setDataType(DataType.FLOAT16_VALUE).addDims(4)
                .setRawData(ByteString.copyFrom(new byte[] {0x00, 0x3C, 0x00, (byte) 0xC0, (byte) 0xFF, 0x7B, 0x01, 0x00}))
                .build();
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f}, Tensors.toFloats(half));
        assertEquals(Float.POSITIVE_INFINITY, Tensors.halfToFloat(0x7C00));
        assertTrue(Float.isNaN(Tensors.halfToFloat(0x7E00)));
        // bfloat16 is the top half of a float: 0x3FC0 = 1.5
        TensorProto brain = TensorProto.newBuilder().setDataType(DataType.BFLOAT16_VALUE).addDims(1).addInt32Data(0x3FC0).build();
        assertArrayEquals(new float[] {1.5f}, Tensors.toFloats(brain));
    }

    @Test
    void integersAsOnnxRuntimesQuantizerStoresThem() {
        TensorProto int8 = TensorProto.newBuilder().setDataType(DataType.INT8_VALUE).addDims(3)
                .setRawData(ByteString.copyFrom(new byte[] {-64, 0, 64})).build();
        TensorProto uint8 = TensorProto.newBuilder().setDataType(DataType.UINT8_VALUE).addDims(2)
                .setRawData(ByteString.copyFrom(new byte[] {(byte) 128, (byte) 255})).build();
        TensorProto zeroPoints = TensorProto.newBuilder().setDataType(DataType.UINT8_VALUE).addInt32Data(128).build();
        TensorProto int64 = Tensors.ofLongs("ids", new long[] {1, 3}, new long[] {0, 1, Long.MAX_VALUE});

        assertArrayEquals(new long[] {-64, 0, 64}, Tensors.toLongs(int8));
        assertArrayEquals(new long[] {128, 255}, Tensors.toLongs(uint8));
        assertArrayEquals(new long[] {128}, Tensors.toLongs(zeroPoints), "a scalar: dims empty, one element");
        assertArrayEquals(new long[] {0, 1, Long.MAX_VALUE}, Tensors.toLongs(int64));
    }

    @Test
    void refusesMismatchesWrongTypesAndExternalData() {
        TensorProto shortRaw = Tensors.ofFloats("w", new long[] {2}, new float[] {1, 2}).toBuilder().addDims(2).build();
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () -> Tensors.toFloats(shortRaw));
        assertTrue(mismatch.getMessage().contains("8 bytes of raw_data"), mismatch.getMessage());

        assertThrows(IllegalArgumentException.class, () -> Tensors.toLongs(Tensors.ofFloats("w", new long[] {1}, new float[] {1})));
        assertThrows(IllegalArgumentException.class, () -> Tensors.toFloats(Tensors.ofLongs("i", new long[] {1}, new long[] {1})));
        TensorProto negative = TensorProto.newBuilder().setName("n").addDims(-1).build();
        assertThrows(IllegalArgumentException.class, () -> Tensors.elementCount(negative));
        TensorProto huge = TensorProto.newBuilder().setName("h").addDims(1L << 40).addDims(1L << 40).build();
        assertThrows(IllegalArgumentException.class, () -> Tensors.elementCount(huge));

        TensorProto external = RejectableModels.withExternalData(TinyBertBuilder.tiny().build(), "w.bin")
                .getGraph().getInitializerList().stream().filter(Tensors::isExternal).findFirst().orElseThrow();
        assertEquals("w.bin", Tensors.externalLocation(external).orElseThrow());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> Tensors.toFloats(external));
        assertTrue(outside.getMessage().contains("w.bin"), outside.getMessage());
    }
}
