package dev.verdant.infra;

import java.util.regex.Pattern;

/** The -Xmx value of a child JVM. Every child gets one: the machine is shared. */
final class JvmHeap {

    private static final Pattern SIZE = Pattern.compile("[1-9][0-9]*[kKmMgG]");

    private JvmHeap() {
    }

    static void check(String maxHeap) {
        if (maxHeap == null || !SIZE.matcher(maxHeap).matches()) {
            throw new IllegalArgumentException("maxHeap must look like 512m or 1g (the -Xmx value), was " + maxHeap);
        }
    }
}
