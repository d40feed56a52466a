package dev.verdant.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A GitHub-flavoured markdown table: a header, then rows of as many cells. A column is right aligned
 * when every cell below its header is a figure (starts with a digit, a sign or "—"), else left aligned;
 * the first column is always left aligned. A "|" inside a cell is escaped and a line break becomes a
 * space, so a cell can never break the table.
 */
final class MarkdownTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    MarkdownTable(String... header) {
        if (header.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.header = List.of(header);
    }

    MarkdownTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + header.size()
                    + " columns: " + Arrays.toString(cells));
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : c.toString()).toList());
        return this;
    }

    int size() {
        return rows.size();
    }

    static String cell(String text) {
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }

    private static boolean isFigure(String cell) {
        return cell.isEmpty() || cell.startsWith("—") || Character.isDigit(cell.charAt(0)) || cell.startsWith("+")
                || cell.startsWith("-") && cell.length() > 1 && Character.isDigit(cell.charAt(1));
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        line(out, header);
        out.append('|');
        for (int i = 0; i < header.size(); i++) {
            int column = i;
            boolean figures = i > 0 && rows.stream().map(r -> r.get(column)).allMatch(MarkdownTable::isFigure);
            out.append(figures ? "---:|" : "---|");
        }
        out.append('\n');
        rows.forEach(row -> line(out, row));
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells) {
        out.append('|');
        for (String c : cells) {
            out.append(' ').append(cell(c)).append(" |");
        }
        out.append('\n');
    }
}
