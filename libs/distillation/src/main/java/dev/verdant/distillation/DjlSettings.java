package dev.verdant.distillation;

import dev.verdant.evaluation.DjlOffline;

/**
 * DJL offline and on 2 threads, set before any DJL class is used; values already given by the
 * environment or as system properties win.
 * <ul>
 *   <li>{@code ai.djl.offline=true}: no engine download (PyTorch comes from the
 *       pytorch-native-cpu classifier jar, ONNX Runtime from its jar);</li>
 *   <li>{@code OPT_OUT_TRACKING=true}: no usage ping;</li>
 *   <li>{@code DJL_CACHE_DIR}, {@code ENGINE_CACHE_DIR}: where the native libraries are unpacked
 *       (PyTorch's ~400 MB of .so files, the tokenizer's): a writable folder, by default under
 *       java.io.tmpdir;</li>
 *   <li>{@code ai.djl.pytorch.num_threads} (intra-op, default 2, the cores of this machine) and
 *       {@code ai.djl.pytorch.num_interop_threads} (1).</li>
 * </ul>
 */
final class DjlSettings {

    private DjlSettings() {
    }

    static synchronized void configure() {
        DjlOffline.configure();
        DjlOffline.setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(DistillationRequest.defaultThreads()));
        DjlOffline.setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }
}
