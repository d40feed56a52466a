package dev.verdant.carbon.service.core;

import dev.verdant.events.RunReported;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The run report as one self-contained HTML page: inline CSS, an inline SVG Pareto chart (quality
 * against gCO2e per 1,000 inferences, the front highlighted, the recommendation marked), the table,
 * what is missing and the notes. No JavaScript, nothing fetched from anywhere. Every string from an
 * event is escaped ({@link #escape}), and the page is well-formed XML as well as HTML, so a plain XML
 * parser can check it.
 */
public final class ReportHtml {
    static final int WIDTH = 640;
    static final int HEIGHT = 360;
    private static final int LEFT = 64;
    private static final int RIGHT = 24;
    private static final int TOP = 20;
    private static final int BOTTOM = 48;

    private ReportHtml() {
    }

    public static String render(RunReported r) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<title>Verdant report ").append(escape(r.runId())).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2rem;color:#1b2a1b;max-width:72rem}\n")
                .append("h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}\n")
                .append("table{border-collapse:collapse;font-size:.85rem}th,td{border:1px solid #c8d6c8;padding:.3rem .5rem;text-align:right}\n")
                .append("th{background:#eef5ee}td.id,th.id{text-align:left}tr.rec td{background:#e2f3e2;font-weight:600}\n")
                .append(".verdict{background:#f3faf3;border-left:4px solid #2e7d32;padding:.6rem 1rem}\n")
                .append(".partial{color:#9a4a00}.small{font-size:.8rem;color:#4a5a4a}.scroll{overflow-x:auto}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>Verdant run report</h1>\n<p class=\"small\">run <code>").append(escape(r.runId()))
                .append("</code>, model sha256 <code>").append(escape(r.modelSha256())).append("</code>, reported ")
                .append(escape(String.valueOf(r.reportedAt()))).append(", status <strong class=\"")
                .append(r.status() == RunReported.Status.PARTIAL ? "partial" : "complete").append("\">")
                .append(escape(r.status().wireName())).append("</strong></p>\n");
        verdict(h, r);
        h.append("<h2>Quality against carbon</h2>\n");
        chart(h, r);
        h.append("<h2>Every model</h2>\n");
        table(h, r);
        if (!r.missing().isEmpty()) {
            h.append("<h2>Missing</h2>\n<ul id=\"missing\">\n");
            r.missing().forEach(m -> h.append("<li><code>").append(escape(m.variantId())).append("</code>: ")
                    .append(escape(m.why())).append("</li>\n"));
            h.append("</ul>\n");
        }
        h.append("<h2>The run's own footprint</h2>\n<p>").append(num(r.footprint().energyKwh(), 6)).append(" kWh, ")
                .append(num(r.footprint().emissionsG(), 4)).append(" gCO2e (every job of the run: ingest, making,"
                        + " evaluating; per job in emissions.csv, CodeCarbon's columns).</p>\n");
        if (r.context() != null) {
            RunReported.Context c = r.context();
            h.append("<p class=\"small\">Priced for region <code>").append(escape(c.region())).append("</code> at ")
                    .append(num(c.carbonIntensityGPerKwh(), 1)).append(" gCO2e/kWh (").append(escape(c.intensitySource()))
                    .append("), PUE ").append(num(c.pue(), 2)).append(", ").append(num(c.inferencesPerDay(), 0))
                    .append(" inferences a day expected. SCI embodied emissions: ")
                    .append(escape(c.embodiedBasis() == null ? "not given" : c.embodiedBasis())).append(".</p>\n");
        }
        if (!r.notes().isEmpty()) {
            h.append("<h2>Notes</h2>\n<ul id=\"notes\">\n");
            r.notes().forEach(n -> h.append("<li>").append(escape(n)).append("</li>\n"));
            h.append("</ul>\n");
        }
        h.append("<p class=\"small\">Files: ").append(escape(r.reportKeys().json())).append(", ")
                .append(escape(r.reportKeys().emissionsCsv())).append(".</p>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void verdict(StringBuilder h, RunReported r) {
        h.append("<div class=\"verdict\" id=\"verdict\">");
        RunReported.Recommendation rec = r.recommendation();
        if (rec == null) {
            h.append("<p>No recommendation.</p>");
        } else {
            h.append("<p>Recommended: <strong id=\"recommended\">").append(escape(rec.variantId()))
                    .append("</strong>, ").append(escape(rec.reason())).append(".</p>");
            if (rec.paybackDays() != null && rec.yearlyEmissionsSavedKg() != null) {
                h.append("<p>Carbon payback: the run's footprint is paid back after <strong>")
                        .append(num(rec.paybackDays(), 2)).append(" days</strong> of the expected traffic; then it saves <strong>")
                        .append(num(rec.yearlyEmissionsSavedKg(), 3)).append(" kg CO2e a year</strong>.</p>");
            }
        }
        h.append("<p class=\"small\">Quality budget: at most ").append(num(r.qualityBudget(), 2))
                .append(" points lost against the original.</p></div>\n");
    }

    private static void chart(StringBuilder h, RunReported r) {
        List<RunReported.Row> rows = r.variants();
        Set<String> front = Set.copyOf(r.paretoFront());
        String recommended = r.recommendation() == null ? null : r.recommendation().variantId();
        h.append("<svg id=\"pareto\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"quality against gCO2e per 1,000 inferences\">\n")
                .append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" fill=\"#fbfdfb\"/>\n");
        double maxEmissions = rows.stream().mapToDouble(RunReported.Row::emissionsGPer1k).max().orElse(1);
        double yMin = rows.stream().mapToDouble(RunReported.Row::quality).min().orElse(0);
        double yMax = rows.stream().mapToDouble(RunReported.Row::quality).max().orElse(1);
        double xMax = maxEmissions > 0 ? maxEmissions * 1.1 : 1;
        double pad = Math.max((yMax - yMin) * 0.1, 0.5);
        double y0 = yMin - pad;
        double y1 = yMax + pad;
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        h.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP + plotH).append("\" x2=\"")
                .append(LEFT + plotW).append("\" y2=\"").append(TOP + plotH).append("\" stroke=\"#555\"/>\n")
                .append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(TOP + plotH).append("\" stroke=\"#555\"/>\n");
        for (int i = 0; i <= 4; i++) {
            double xv = xMax * i / 4;
            double yv = y0 + (y1 - y0) * i / 4;
            int px = LEFT + plotW * i / 4;
            int py = TOP + plotH - plotH * i / 4;
            h.append("<text x=\"").append(px).append("\" y=\"").append(TOP + plotH + 16)
                    .append("\" font-size=\"10\" text-anchor=\"middle\">").append(num(xv, 4)).append("</text>\n")
                    .append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(py + 3)
                    .append("\" font-size=\"10\" text-anchor=\"end\">").append(num(yv, 2)).append("</text>\n");
        }
        h.append("<text x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(HEIGHT - 8)
                .append("\" font-size=\"12\" text-anchor=\"middle\">gCO2e per 1,000 inferences</text>\n")
                .append("<text x=\"14\" y=\"").append(TOP + plotH / 2).append("\" font-size=\"12\" text-anchor=\"middle\"")
                .append(" transform=\"rotate(-90 14 ").append(TOP + plotH / 2).append(")\">quality</text>\n");
        StringBuilder line = new StringBuilder();
        rows.stream().filter(row -> front.contains(row.variantId()))
                .sorted(java.util.Comparator.comparingDouble(RunReported.Row::emissionsGPer1k))
                .forEach(row -> line.append(line.length() == 0 ? "" : " ")
                        .append(coord(LEFT + plotW * row.emissionsGPer1k() / xMax)).append(',')
                        .append(coord(TOP + plotH - plotH * (row.quality() - y0) / (y1 - y0))));
        if (line.length() > 0) {
            h.append("<polyline class=\"front\" points=\"").append(line)
                    .append("\" fill=\"none\" stroke=\"#2e7d32\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n");
        }
        for (RunReported.Row row : rows) {
            String x = coord(LEFT + plotW * row.emissionsGPer1k() / xMax);
            String y = coord(TOP + plotH - plotH * (row.quality() - y0) / (y1 - y0));
            boolean onFront = front.contains(row.variantId());
            h.append("<circle class=\"point").append(onFront ? " front" : "").append("\" data-variant=\"")
                    .append(escape(row.variantId())).append("\" cx=\"").append(x).append("\" cy=\"").append(y)
                    .append("\" r=\"5\" fill=\"").append(onFront ? "#2e7d32" : "#9e9e9e").append("\"><title>")
                    .append(escape(row.variantId())).append(": quality ").append(num(row.quality(), 2)).append(", ")
                    .append(num(row.emissionsGPer1k(), 5)).append(" gCO2e/1k</title></circle>\n");
            if (row.variantId().equals(recommended)) {
                h.append("<circle class=\"recommended\" cx=\"").append(x).append("\" cy=\"").append(y)
                        .append("\" r=\"10\" fill=\"none\" stroke=\"#c62828\" stroke-width=\"2\"/>\n");
            }
            h.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" dx=\"8\" dy=\"-8\" font-size=\"11\">")
                    .append(escape(row.variantId())).append(row.variantId().equals(recommended) ? " (recommended)" : "")
                    .append("</text>\n");
        }
        h.append("</svg>\n<p class=\"small\">Green: the Pareto front (no other model has better or equal quality,"
                + " gCO2e/1k and batch-32 latency at once); red ring: the recommendation.</p>\n");
    }

    private static void table(StringBuilder h, RunReported r) {
        Set<String> front = Set.copyOf(r.paretoFront());
        String recommended = r.recommendation() == null ? null : r.recommendation().variantId();
        h.append("<div class=\"scroll\"><table id=\"variants\">\n<thead><tr><th class=\"id\">model</th><th class=\"id\">technique</th>")
                .append("<th class=\"id\">parameters of the step</th><th>size MB</th><th>parameters</th><th>quality</th>")
                .append("<th>quality delta</th><th>mean cosine</th><th>p50 b1 ms</th><th>p50 b32 ms</th>")
                .append("<th>J / 1k</th><th>energy</th><th>gCO2e / 1k</th><th>SCI g / 1k</th><th>in budget</th>")
                .append("<th>front</th></tr></thead>\n<tbody>\n");
        for (RunReported.Row row : r.variants()) {
            h.append("<tr").append(row.variantId().equals(recommended) ? " class=\"rec\"" : "").append(">")
                    .append("<td class=\"id\">").append(escape(row.variantId())).append("</td>")
                    .append("<td class=\"id\">").append(escape(row.technique().wireName()))
                    .append(row.input() == null || row.input().equals("original") ? "" : " of " + escape(row.input()))
                    .append("</td><td class=\"id\">").append(escape(params(row))).append("</td>")
                    .append(td(num(row.sizeBytes() / 1e6, 2))).append(td(String.format(Locale.ROOT, "%,d", row.parameters())))
                    .append(td(num(row.quality(), 2)))
                    .append(td(row.qualityLoss() == null ? "?" : num(0.0 - row.qualityLoss() + 0.0, 2)))
                    .append(td(row.meanCosine() == null ? "" : num(row.meanCosine(), 4)))
                    .append(td(row.latencyBatch1P50Ms() == null ? "" : num(row.latencyBatch1P50Ms(), 2)))
                    .append(td(num(row.latencyBatch32P50Ms(), 2))).append(td(num(row.energyJoulesPer1k(), 2)))
                    .append(td(row.energySource() == null ? "" : escape(row.energySource().wireName())))
                    .append(td(num(row.emissionsGPer1k(), 5)))
                    .append(td(row.sciGPer1k() == null ? "" : num(row.sciGPer1k(), 5)))
                    .append(td(row.withinBudget() == null ? "?" : row.withinBudget() ? "yes" : "no"))
                    .append(td(front.contains(row.variantId()) ? "yes" : "")).append("</tr>\n");
        }
        h.append("</tbody>\n</table></div>\n");
    }

    private static String params(RunReported.Row row) {
        if (row.techniqueParameters() == null || row.techniqueParameters().isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        new java.util.TreeMap<>(row.techniqueParameters()).forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ")
                .append(k).append('=').append(v));
        return s.toString();
    }

    private static String td(String content) {
        return "<td>" + content + "</td>";
    }

    private static String coord(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String num(double v, int decimals) {
        if (v != 0 && Math.abs(v) < Math.pow(10, -decimals)) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Text and attribute values: the five XML specials, and control characters dropped. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
