package dev.verdant.carbon;

import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.JobUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Writes ledger entries as CodeCarbon's emissions.csv: the 31 columns of CodeCarbon 2.2.3 to 2.4
 * (EmissionsData in codecarbon/output.py; the pue column arrived in 2.2.3; later versions add
 * experiment_id, water and utilisation columns), in that order, with CodeCarbon's units: duration s,
 * emissions kgCO2e, emissions_rate kg/s, *_power W, *_energy and energy_consumed kWh (PUE included, as
 * CodeCarbon applies it to each component), ram_total_size GB (GiB, CodeCarbon's GB), on_cloud Y/N.
 * One row per ledger entry.
 *
 * <p>Mapping: project_name = run id, run_id = job id (CodeCarbon's run is one tracker run, Verdant's
 * job), timestamp = recordedAt in UTC written as CodeCarbon does ({@code 2026-11-28T12:00:00}, no
 * zone). Columns Verdant does not know are left empty, as CodeCarbon leaves None: the per-component
 * powers and energies without a {@link JobEnergy} breakdown, os, python_version and
 * codecarbon_version (not CodeCarbon, not Python), gpu_count/gpu_model, longitude/latitude.
 * tracking_mode is "process" (the meter counts the process's or the job's threads' CPU time).
 */
public final class EmissionsCsv {
    public static final List<String> HEADER = List.of("timestamp", "project_name", "run_id", "duration", "emissions",
            "emissions_rate", "cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy", "ram_energy",
            "energy_consumed", "country_name", "country_iso_code", "region", "cloud_provider", "cloud_region", "os",
            "python_version", "codecarbon_version", "cpu_count", "cpu_model", "gpu_count", "gpu_model", "longitude",
            "latitude", "ram_total_size", "tracking_mode", "on_cloud", "pue");
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private final CarbonIntensities intensities;

    public EmissionsCsv(CarbonIntensities intensities) {
        this.intensities = intensities;
    }

    /**
     * What one row is made of: the entry, and optionally the job's host and the meter's breakdown.
     *
     * @param host from the JobUsage (cpu_count, cpu_model, ram_total_size), or null
     * @param breakdown the meter's components (cpu/gpu/ram power and energy), or null
     */
    public record Entry(CarbonLedgerEntry ledger, JobUsage.Host host, JobEnergy breakdown) {
        public static Entry of(CarbonLedgerEntry ledger) {
            return new Entry(ledger, null, null);
        }
    }

    /** The header line and one line per entry, each ended by CRLF as Python's csv module writes. */
    public String toCsv(List<Entry> entries) {
        StringBuilder out = new StringBuilder();
        write(out, entries);
        return out.toString();
    }

    public void write(Appendable out, List<Entry> entries) {
        try {
            line(out, HEADER);
            for (Entry entry : entries) {
                line(out, row(entry));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write emissions.csv", e);
        }
    }

    /** The fields of one row, in {@link #HEADER} order. */
    public List<String> row(Entry entry) {
        CarbonLedgerEntry e = entry.ledger();
        double pue = e.pue();
        Double duration = e.durationSeconds();
        double emissionsKg = e.emissionsG() / 1000.0;
        Optional<CarbonIntensities.Place> place = intensities.place(e.region());
        JobEnergy parts = entry.breakdown();
        JobUsage.Host host = entry.host();

        String[] f = new String[HEADER.size()];
        Arrays.fill(f, "");
        f[0] = TIMESTAMP.format(e.recordedAt());
        f[1] = e.runId();
        f[2] = e.jobId();
        f[3] = duration == null ? "" : number(duration);
        f[4] = number(emissionsKg);
        f[5] = number(duration == null || duration <= 0 ? 0.0 : emissionsKg / duration);
        if (parts != null) {
            double wall = parts.wallSeconds();
            f[6] = number(wall > 0 ? parts.cpuJoules() / wall : 0.0);
            f[7] = number(wall > 0 ? parts.gpuJoules() / wall : 0.0);
            f[8] = number(wall > 0 ? parts.ramJoules() / wall : 0.0);
            f[9] = number(CodeCarbonModel.kwh(parts.cpuJoules()) * pue);
            f[10] = number(CodeCarbonModel.kwh(parts.gpuJoules()) * pue);
            f[11] = number(CodeCarbonModel.kwh(parts.ramJoules()) * pue);
        }
        f[12] = number(e.energyKwh());
        place.ifPresent(p -> {
            f[13] = p.countryName() == null ? "" : p.countryName();
            f[14] = p.countryIsoCode() == null ? "" : p.countryIsoCode();
            if (p.onCloud()) {
                f[15] = p.cloudRegion();
                f[16] = p.cloudProvider();
                f[17] = p.cloudRegion();
            }
        });
        if (host != null) {
            f[21] = Integer.toString(host.logicalCpus());
            f[22] = host.cpuModel();
            if (host.memoryBytes() != null) {
                f[27] = number(CodeCarbonModel.gib(host.memoryBytes()));
            }
        }
        f[28] = "process";
        f[29] = place.map(CarbonIntensities.Place::onCloud).orElse(false) ? "Y" : "N";
        f[30] = number(pue);
        return List.of(f);
    }

    private static void line(Appendable out, List<String> fields) throws IOException {
        List<String> quoted = new ArrayList<>(fields.size());
        for (String field : fields) {
            quoted.add(quote(field));
        }
        out.append(String.join(",", quoted)).append("\r\n");
    }

    /** Python csv's QUOTE_MINIMAL: quote a field holding a comma, a quote or a line break; double inner quotes. */
    static String quote(String field) {
        if (field.indexOf(',') >= 0 || field.indexOf('"') >= 0 || field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0) {
            return '"' + field.replace("\"", "\"\"") + '"';
        }
        return field;
    }

    /**
     * A float as Python's repr writes it (what CodeCarbon's csv rows hold): positional between 1e-4
     * and 1e16 ("0.0455", "1.0", "38115.6783618927"), else scientific with at least two exponent
     * digits ("4.991575985179878e-05").
     */
    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return (1 / value < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(value));
        double magnitude = Math.abs(value);
        if (magnitude >= 1e-4 && magnitude < 1e16) {
            String plain = exact.stripTrailingZeros().toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        BigDecimal unscaled = exact.stripTrailingZeros();
        int exponent = unscaled.precision() - unscaled.scale() - 1;
        BigDecimal mantissa = unscaled.movePointLeft(exponent);
        String digits = mantissa.toPlainString();
        String sign = exponent < 0 ? "-" : "+";
        int abs = Math.abs(exponent);
        return digits + "e" + sign + (abs < 10 ? "0" + abs : Integer.toString(abs));
    }
}
