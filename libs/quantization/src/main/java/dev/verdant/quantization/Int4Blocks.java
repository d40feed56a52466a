package dev.verdant.quantization;

/**
 * Block-wise 4-bit weights in ONNX Runtime's com.microsoft MatMulNBits layout (bits 4).
 *
 * <p>For W [K, N] (a MatMul weight, K = inputs, N = outputs) each column n is cut along K into
 * {@code blocks = ceil(K / blockSize)} blocks; each block b gets a float scale and a 4-bit zero point:
 * <pre>
 *   lo = min(0, min w), hi = max(0, max w)          (over the block's values)
 *   scale = (hi - lo) / 15   (1 for an all-zero block), zp = clamp(round(-lo / scale), 0, 15)
 *   q = clamp(round(w / scale) + zp, 0, 15),          w' = (q - zp) x scale
 * </pre>
 * Symmetric (no zero points, ONNX Runtime's default zero point 8): {@code scale = max|w| / 7}, zp = 8.
 *
 * <p>Storage (com.microsoft MatMulNBits): B uint8 [N, blocks, blockSize / 2], element k of a block in byte
 * k / 2, the low nibble for even k; scales float [N x blocks], column-major by block (n x blocks + b);
 * zero points uint8 [N x ceil(blocks / 2)], block b of column n in byte n x ceil(blocks / 2) + b / 2, low nibble
 * for even b. Positions past K in the last block hold the zero point (they dequantize to 0).
 *
 * @param packed     B, [N, blocks, blockSize / 2] flattened
 * @param scales     [N x blocks]
 * @param zeroPoints packed [N x ceil(blocks / 2)], or null when symmetric
 */
public record Int4Blocks(int k, int n, int blockSize, byte[] packed, float[] scales, byte[] zeroPoints) {

    public int blocks() {
        return (k + blockSize - 1) / blockSize;
    }

    /** Quantizes row-major W [k, n]. */
    public static Int4Blocks quantize(float[] w, int k, int n, int blockSize, boolean symmetric) {
        if ((long) k * n != w.length) {
            throw new IllegalArgumentException("W has " + w.length + " values, not " + k + " x " + n);
        }
        if (blockSize < 16 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size " + blockSize + " must be a power of 2, at least 16");
        }
        int blocks = (k + blockSize - 1) / blockSize;
        int blob = blockSize / 2;
        int zpPerColumn = (blocks + 1) / 2;
        byte[] packed = new byte[n * blocks * blob];
        float[] scales = new float[n * blocks];
        byte[] zeroPoints = symmetric ? null : new byte[n * zpPerColumn];
        for (int col = 0; col < n; col++) {
            for (int b = 0; b < blocks; b++) {
                int start = b * blockSize;
                int end = Math.min(k, start + blockSize);
                float lo = 0;
                float hi = 0;
                float absMax = 0;
                for (int row = start; row < end; row++) {
                    float v = w[row * n + col];
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                    absMax = Math.max(absMax, Math.abs(v));
                }
                float scale;
                int zp;
                if (symmetric) {
                    scale = absMax == 0 ? 1f : absMax / 7f;
                    zp = 8;
                } else {
                    scale = hi == lo ? 1f : (hi - lo) / 15f;
                    zp = (int) Math.max(0, Math.min(15, Math.rint(-lo / scale)));
                }
                scales[col * blocks + b] = scale;
                if (!symmetric) {
                    int index = col * zpPerColumn + b / 2;
                    zeroPoints[index] = (byte) (zeroPoints[index] | (zp << ((b % 2) * 4)));
                }
                int base = (col * blocks + b) * blob;
                for (int i = 0; i < blockSize; i++) {
                    int row = start + i;
                    int q = row < end
                            ? (int) Math.max(0, Math.min(15, Math.rint(w[row * n + col] / scale) + zp))
                            : zp;
                    packed[base + i / 2] = (byte) (packed[base + i / 2] | (q << ((i % 2) * 4)));
                }
            }
        }
        return new Int4Blocks(k, n, blockSize, packed, scales, zeroPoints);
    }

    /** The 4-bit code of W[row, col]. */
    public int code(int row, int col) {
        int blocks = blocks();
        int b = row / blockSize;
        int i = row % blockSize;
        int v = packed[(col * blocks + b) * (blockSize / 2) + i / 2] & 0xFF;
        return (i % 2 == 0) ? v & 0x0F : v >>> 4;
    }

    /** The zero point of block b of column col (8 when symmetric). */
    public int zeroPoint(int b, int col) {
        if (zeroPoints == null) {
            return 8;
        }
        int v = zeroPoints[col * ((blocks() + 1) / 2) + b / 2] & 0xFF;
        return (b % 2 == 0) ? v & 0x0F : v >>> 4;
    }

    /** W' [k, n] row-major: (q - zp) x scale, read back from the packed layout. */
    public float[] dequantize() {
        int blocks = blocks();
        float[] w = new float[k * n];
        for (int row = 0; row < k; row++) {
            for (int col = 0; col < n; col++) {
                int b = row / blockSize;
                w[row * n + col] = (code(row, col) - zeroPoint(b, col)) * scales[col * blocks + b];
            }
        }
        return w;
    }
}
