package dev.verdant.evaluation;

import java.nio.file.Path;

/**
 * Makes DJL work without a network and without a writable home directory, before any DJL class
 * is used. What DJL would otherwise reach for:
 * <ul>
 *   <li>{@code ai.djl.offline=true}: no model-zoo or engine downloads (the ONNX Runtime engine uses
 *       the onnxruntime jar on the class path; the tokenizers jar carries its native library);</li>
 *   <li>{@code OPT_OUT_TRACKING=true}: no usage ping ({@code Ec2Utils.callHome}) when a tokenizer
 *       is created;</li>
 *   <li>{@code DJL_CACHE_DIR} / {@code ENGINE_CACHE_DIR}: where DJL unpacks libtokenizers.so from
 *       the jar (default ~/.djl.ai); here a folder under java.io.tmpdir unless the environment or a
 *       system property already names one. ONNX Runtime's own library goes to java.io.tmpdir.</li>
 * </ul>
 * Values already set by the environment or as system properties are left alone.
 */
public final class DjlOffline {

    private DjlOffline() {
    }

    /** Sets the offline settings that are not set yet; call before any DJL class is used. */
    public static synchronized void configure() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        String cache = Path.of(System.getProperty("java.io.tmpdir"), "verdant-djl-" + System.getProperty("user.name", "user"))
                .toString();
        setIfAbsent("DJL_CACHE_DIR", cache);
        setIfAbsent("ENGINE_CACHE_DIR", cache);
    }

    /** Sets a system property unless the environment or the system properties already give it. */
    public static void setIfAbsent(String name, String value) {
        if (System.getenv(name) == null && System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
