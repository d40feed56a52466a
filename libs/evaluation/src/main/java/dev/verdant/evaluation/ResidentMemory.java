package dev.verdant.evaluation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Peak resident memory of the process around a piece of work, from Linux's /proc/self/status
 * (VmRSS: resident now; VmHWM: the high-water mark of VmRSS). Best effort:
 * <ul>
 *   <li>where /proc/self/clear_refs accepts "5" (Linux 4.0+), the high-water mark is reset to the
 *       current RSS at the start, so peak = VmHWM(end) - VmRSS(start) is the growth during the work;</li>
 *   <li>otherwise the same difference is reported but can include an earlier peak, and the method
 *       string says so;</li>
 *   <li>without /proc (not Linux) there is no figure.</li>
 * </ul>
 * It counts whatever the process touched meanwhile: ONNX Runtime's session and arena, the
 * tokenizer, and JVM heap growth (the heap is capped and mostly committed before, so little).
 */
final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private final Long startRss;
    private final boolean peakReset;

    private ResidentMemory(Long startRss, boolean peakReset) {
        this.startRss = startRss;
        this.peakReset = peakReset;
    }

    /** Starts a window: resets the peak where possible, then reads the current RSS. */
    static ResidentMemory startWindow() {
        boolean reset = resetPeak();
        return new ResidentMemory(kilobytes("VmRSS").map(kb -> kb * 1024).orElse(null), reset);
    }

    EvaluationReport.PeakMemory finish() {
        Optional<Long> peak = kilobytes("VmHWM").map(kb -> kb * 1024);
        if (startRss == null || peak.isEmpty()) {
            return new EvaluationReport.PeakMemory(null, "not measured: /proc/self/status is not readable here");
        }
        long growth = Math.max(0, peak.get() - startRss);
        return new EvaluationReport.PeakMemory(growth, peakReset
                ? "process peak RSS (VmHWM, reset through /proc/self/clear_refs) during model load and measurement,"
                        + " minus RSS before the load"
                : "process peak RSS (VmHWM, could not be reset: may include an earlier peak) minus RSS before the"
                        + " model load");
    }

    private static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | RuntimeException notAllowed) {
            return false;
        }
    }

    private static Optional<Long> kilobytes(String field) {
        try {
            List<String> lines = Files.readAllLines(STATUS);
            for (String line : lines) {
                if (line.startsWith(field + ":")) {
                    String value = line.substring(field.length() + 1).strip();
                    return Optional.of(Long.parseLong(value.split("\\s+")[0]));
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }
}
