package io.filterviz.model.onnx;

import onnx.Onnx.TensorProto;
import org.nd4j.shade.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ConstantTest {
    @Test
    void typedFieldsAndRawBytesDecodeAlike() {
        TensorProto typed = TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).addAllDims(List.of(2L))
                .addAllFloatData(List.of(1.5f, -2f)).build();
        assertArrayEquals(new float[]{1.5f, -2f}, Constant.of(typed, "t").floats());
        assertArrayEquals(new float[]{1.5f, -2f}, Constant.of(OnnxFile.floatTensor("r", new long[]{2}, 1.5f, -2f), "r").floats());

        TensorProto int32 = TensorProto.newBuilder().setDataType(TensorProto.DataType.INT32_VALUE).addAllDims(List.of(3L))
                .setRawData(ByteString.copyFrom(new byte[]{1, 0, 0, 0, -1, -1, -1, -1, 7, 0, 0, 0})).build();
        assertArrayEquals(new long[]{1, -1, 7}, Constant.of(int32, "i").longs());

        TensorProto doubles = TensorProto.newBuilder().setDataType(TensorProto.DataType.DOUBLE_VALUE).addAllDims(List.of(1L))
                .addDoubleData(0.25).build();
        assertArrayEquals(new float[]{0.25f}, Constant.of(doubles, "d").floats());
    }

    @Test
    void halfPrecision() {
        assertEquals(1f, Constant.halfToFloat(0x3C00));
        assertEquals(-2f, Constant.halfToFloat(0xC000));
        assertEquals(65504f, Constant.halfToFloat(0x7BFF));
        assertEquals(0x1p-24f, Constant.halfToFloat(0x0001)); // the smallest subnormal
        assertEquals(Float.NEGATIVE_INFINITY, Constant.halfToFloat(0xFC00));
        TensorProto half = TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT16_VALUE).addAllDims(List.of(2L))
                .setRawData(ByteString.copyFrom(new byte[]{0x00, 0x3C, 0x00, (byte) 0xB8})).build();
        assertArrayEquals(new float[]{1f, -0.5f}, Constant.of(half, "h").floats());
    }

    @Test
    void stringsAreRefused() {
        TensorProto strings = TensorProto.newBuilder().setDataType(TensorProto.DataType.STRING_VALUE).addAllDims(List.of(1L))
                .addStringData(ByteString.copyFromUtf8("cat")).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Constant.of(strings, "labels"));
        assertEquals("labels has data type STRING; supported: float, double, float16, bfloat16 and integers", e.getMessage());
    }
}
