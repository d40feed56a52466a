package dev.verdant.distillation;

import java.util.List;

/**
 * Sentences as token ids padded to the longest in the batch; row-major [size, length] arrays.
 *
 * @param ids   token ids (padding id after each sentence's end)
 * @param mask  1 for real tokens, 0 for padding
 * @param types token type ids
 */
record Batch(long[] ids, long[] mask, long[] types, int size, int length) {

    static Batch of(List<Batch.TokenizedSentence> sentences, long padId) {
        int size = sentences.size();
        int length = 1;
        for (Batch.TokenizedSentence s : sentences) {
            length = Math.max(length, s.ids().length);
        }
        long[] ids = new long[size * length];
        long[] mask = new long[size * length];
        long[] types = new long[size * length];
        for (int i = 0; i < size; i++) {
            Batch.TokenizedSentence s = sentences.get(i);
            int offset = i * length;
            java.util.Arrays.fill(ids, offset, offset + length, padId);
            System.arraycopy(s.ids(), 0, ids, offset, s.ids().length);
            System.arraycopy(s.types(), 0, types, offset, s.types().length);
            for (int t = 0; t < s.ids().length; t++) {
                mask[offset + t] = 1;
            }
        }
        return new Batch(ids, mask, types, size, length);
    }

    float[] maskFloats() {
        float[] out = new float[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = mask[i];
        }
        return out;
    }

    /** One tokenized sentence: ids and type ids, no padding. */
    record TokenizedSentence(long[] ids, long[] types) {
    }
}
