package dev.verdant.evaluation;

/**
 * Sentences as token ids, padded to the longest in the batch; every array is row-major
 * [size, length].
 *
 * @param ids    token ids ([PAD] after the end of each sentence)
 * @param mask   1 for real tokens, 0 for padding
 * @param types  token type (segment) ids, 0 for single sentences
 * @param size   sentences
 * @param length tokens per sentence after padding
 */
record TokenizedBatch(long[] ids, long[] mask, long[] types, int size, int length) {

    TokenizedBatch {
        long cells = (long) size * length;
        if (ids.length != cells || mask.length != cells || types.length != cells) {
            throw new IllegalArgumentException("a [" + size + ", " + length + "] batch needs " + cells
                    + " values per array, got ids " + ids.length + ", mask " + mask.length + ", types " + types.length);
        }
    }

    long maxId() {
        long max = Long.MIN_VALUE;
        for (long id : ids) {
            max = Math.max(max, id);
        }
        return max;
    }

    long maxType() {
        long max = 0;
        for (long type : types) {
            max = Math.max(max, type);
        }
        return max;
    }
}
