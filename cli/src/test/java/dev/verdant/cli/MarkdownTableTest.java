package dev.verdant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MarkdownTableTest {

    @Test
    void headerAlignmentAndRows() {
        String table = new MarkdownTable("model", "size MB", "Spearman")
                .row("fp32", "90.39", 82.03)
                .row("int8-dynamic", "22.91", null)
                .toString();
        assertThat(table).isEqualTo("""
                | model | size MB | Spearman |
                |---|---:|---:|
                | fp32 | 90.39 | 82.03 |
                | int8-dynamic | 22.91 |  |
                """);
    }

    @Test
    void aColumnOfTextIsLeftAligned() {
        String table = new MarkdownTable("model", "Δ", "made by").row("a", "-0.33", "quantize {mode=x}").row("b", "+0.10", "—")
                .toString();
        assertThat(table.lines().skip(1).findFirst().orElseThrow()).isEqualTo("|---|---:|---|");
    }

    @Test
    void aCellCannotBreakTheTable() {
        String table = new MarkdownTable("what", "why").row("a|b", "line one\nline two").toString();
        assertThat(table).contains("| a\\|b | line one line two |");
        assertThat(table.lines()).hasSize(3);
    }

    @Test
    void rowsMustFitTheHeader() {
        MarkdownTable table = new MarkdownTable("a", "b");
        assertThatThrownBy(() -> table.row("only one")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a row of 1 cells in a table of 2 columns");
        assertThatThrownBy(MarkdownTable::new).isInstanceOf(IllegalArgumentException.class);
    }
}
