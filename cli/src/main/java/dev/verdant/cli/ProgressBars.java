package dev.verdant.cli;

import dev.verdant.events.VerdantEvent;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * Keeps a run's progress bars under the lines a terminal scrolls: before a line is printed the
 * bars are erased (ANSI: cursor up to their first line, clear to the end of the screen), after it
 * they are drawn again.
 */
final class ProgressBars {
    private final PrintWriter out;
    private final RunProgress progress = new RunProgress();
    private int drawn;
    private Instant drawnAt = Instant.EPOCH;

    ProgressBars(PrintWriter out) {
        this.out = out;
    }

    /** Call before printing anything else. */
    void erase() {
        if (drawn > 0) {
            out.print("\033[" + drawn + "A\r\033[J");
            drawn = 0;
        }
    }

    void accept(VerdantEvent event, Instant at) {
        progress.accept(event, at);
    }

    /** Draws the bars (nothing before the run's first event), after {@link #erase}. */
    void draw(Instant now) {
        erase();
        if (progress.started()) {
            List<String> lines = progress.lines(now);
            lines.forEach(out::println);
            drawn = lines.size();
        }
        out.flush();
        drawnAt = now;
    }

    /** The running clocks move on between events: redraw once a second. */
    void tick(Instant now) {
        if (now.isAfter(drawnAt.plusSeconds(1))) {
            draw(now);
        }
    }
}
