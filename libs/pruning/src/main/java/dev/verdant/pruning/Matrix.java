package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.verdant.onnx.Tensors;

/** A row-major float matrix read from, and written back to, an ONNX initializer. */
record Matrix(String name, int rows, int cols, float[] values) {

    static Matrix of(TensorProto tensor) {
        return new Matrix(tensor.getName(), (int) tensor.getDims(0), (int) tensor.getDims(1), Tensors.toFloats(tensor));
    }

    TensorProto toTensor() {
        return Tensors.ofFloats(name, new long[] {rows, cols}, values);
    }

    /** Euclidean norm of column j: sqrt(sum_i W_ij^2). */
    double columnNorm(int j) {
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            double v = values[i * cols + j];
            sum += v * v;
        }
        return Math.sqrt(sum);
    }

    /** Euclidean norm of row i. */
    double rowNorm(int i) {
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            double v = values[i * cols + j];
            sum += v * v;
        }
        return Math.sqrt(sum);
    }

    /** Frobenius norm of columns [from, to). */
    double columnBlockNorm(int from, int to) {
        double sum = 0;
        for (int j = from; j < to; j++) {
            double norm = columnNorm(j);
            sum += norm * norm;
        }
        return Math.sqrt(sum);
    }

    /** Frobenius norm of rows [from, to). */
    double rowBlockNorm(int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            double norm = rowNorm(i);
            sum += norm * norm;
        }
        return Math.sqrt(sum);
    }

    /** The columns listed, in that order. */
    Matrix keepColumns(int[] kept) {
        float[] out = new float[rows * kept.length];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < kept.length; c++) {
                out[i * kept.length + c] = values[i * cols + kept[c]];
            }
        }
        return new Matrix(name, rows, kept.length, out);
    }

    /** The rows listed, in that order. */
    Matrix keepRows(int[] kept) {
        float[] out = new float[kept.length * cols];
        for (int r = 0; r < kept.length; r++) {
            System.arraycopy(values, kept[r] * cols, out, r * cols, cols);
        }
        return new Matrix(name, kept.length, cols, out);
    }

    static float[] keepEntries(float[] vector, int[] kept) {
        float[] out = new float[kept.length];
        for (int i = 0; i < kept.length; i++) {
            out[i] = vector[kept[i]];
        }
        return out;
    }
}
