package dev.verdant.carbon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.EnergySource;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmissionsCsvTest {
    /**
     * The first line of a real emissions.csv written by CodeCarbon 2.2.3
     * (huggingface.co/worde-byte/output, emissions.csv; the same header in 2.3.4 and 2.4.2 files), and
     * the field list of EmissionsData in codecarbon/output.py of 2.2.3.
     */
    static final String CODECARBON_HEADER = "timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,"
            + "gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,"
            + "cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,"
            + "longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue";

    private final EmissionsCsv csv = new EmissionsCsv(CarbonIntensities.packaged());

    private CarbonLedgerEntry entry(String region, double pue) {
        var usage = LedgerEntriesTest.exampleJob();
        return ((LedgerEntries.Priced) LedgerEntries.strict(CarbonIntensities.packaged())
                .price(usage, region, Pue.of(pue), LedgerEntriesTest.RECORDED)).entry();
    }

    @Test
    void headerEqualsCodeCarbons() {
        assertThat(String.join(",", EmissionsCsv.HEADER)).isEqualTo(CODECARBON_HEADER);
        assertThat(csv.toCsv(List.of())).isEqualTo(CODECARBON_HEADER + "\r\n");
    }

    @Test
    void oneRowPerLedgerEntryInCodeCarbonsUnits() {
        CarbonLedgerEntry fra = entry("FRA", 1.0);
        String text = csv.toCsv(List.of(EmissionsCsv.Entry.of(fra), EmissionsCsv.Entry.of(entry("gcp:europe-west1", 1.1))));
        String[] lines = text.split("\r\n");
        assertThat(lines).hasSize(3);

        List<String> row = DataFiles.splitCsvLine(lines[1]);
        assertThat(row).hasSize(31);
        assertThat(field(row, "timestamp")).isEqualTo("2026-11-28T12:00:00");
        assertThat(field(row, "project_name")).isEqualTo("run-0a25de7515f1ebda49f5");
        assertThat(field(row, "run_id")).isEqualTo("run-0a25de7515f1ebda49f5:quantize:int8-dynamic");
        assertThat(field(row, "duration")).isEqualTo("23.9");
        // emissions in kg: g / 1000; rate kg/s: kg / duration
        assertThat(Double.parseDouble(field(row, "emissions"))).isEqualTo(fra.emissionsG() / 1000);
        assertThat(Double.parseDouble(field(row, "emissions_rate"))).isEqualTo(fra.emissionsG() / 1000 / 23.9);
        assertThat(Double.parseDouble(field(row, "energy_consumed"))).isEqualTo(fra.energyKwh());
        assertThat(field(row, "cpu_energy")).isEmpty(); // no breakdown given
        assertThat(field(row, "country_name")).isEqualTo("France");
        assertThat(field(row, "country_iso_code")).isEqualTo("FRA");
        assertThat(field(row, "cloud_provider")).isEmpty();
        assertThat(field(row, "tracking_mode")).isEqualTo("process");
        assertThat(field(row, "on_cloud")).isEqualTo("N");
        assertThat(field(row, "pue")).isEqualTo("1.0");

        List<String> cloud = DataFiles.splitCsvLine(lines[2]);
        assertThat(field(cloud, "country_name")).isEqualTo("Belgium");
        assertThat(field(cloud, "cloud_provider")).isEqualTo("gcp");
        assertThat(field(cloud, "cloud_region")).isEqualTo("europe-west1");
        assertThat(field(cloud, "on_cloud")).isEqualTo("Y");
        assertThat(field(cloud, "pue")).isEqualTo("1.1");
    }

    @Test
    void withTheHostAndTheMetersBreakdownTheComponentColumnsAreFilled() {
        CarbonLedgerEntry fra = entry("FRA", 1.5);
        var host = LedgerEntriesTest.exampleJob().host();
        // 10 s: CPU 36 J (3.6 W), RAM 7.2 J (0.72 W), no GPU
        JobEnergy parts = new JobEnergy(8, 10, 36, 7.2, 0, 1.92, EnergySource.ESTIMATED_TDP, "test");
        List<String> row = csv.row(new EmissionsCsv.Entry(fra, host, parts));
        assertThat(Double.parseDouble(field(row, "cpu_power"))).isCloseTo(3.6, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(field(row, "gpu_power")).isEqualTo("0.0");
        assertThat(Double.parseDouble(field(row, "ram_power"))).isCloseTo(0.72, org.assertj.core.api.Assertions.within(1e-12));
        // energies in kWh with the PUE, as CodeCarbon: 36 J / 3.6e6 x 1.5 = 1.5e-05 kWh
        assertThat(Double.parseDouble(field(row, "cpu_energy"))).isCloseTo(1.5e-05, org.assertj.core.api.Assertions.within(1e-18));
        assertThat(field(row, "cpu_energy")).matches("1\\.50*\\d*e-05");
        assertThat(field(row, "cpu_count")).isEqualTo("2");
        assertThat(field(row, "cpu_model")).isEqualTo("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz");
        // 24e9 bytes / 1024^3 = 22.351741790771484 GB (CodeCarbon's GB is GiB)
        assertThat(field(row, "ram_total_size")).isEqualTo("22.351741790771484");
    }

    @Test
    void numbersAreWrittenAsPythonWritesFloats() {
        assertThat(EmissionsCsv.number(1.0)).isEqualTo("1.0");
        assertThat(EmissionsCsv.number(0.0)).isEqualTo("0.0");
        assertThat(EmissionsCsv.number(38115.6783618927)).isEqualTo("38115.6783618927");
        assertThat(EmissionsCsv.number(4.991575985179878e-05)).isEqualTo("4.991575985179878e-05");
        assertThat(EmissionsCsv.number(0.0001)).isEqualTo("0.0001");
        assertThat(EmissionsCsv.number(1e16)).isEqualTo("1e+16");
        assertThat(EmissionsCsv.number(123456789012.0)).isEqualTo("123456789012.0");
        assertThat(EmissionsCsv.number(-2.5e-7)).isEqualTo("-2.5e-07");
    }

    @Test
    void fieldsWithCommasOrQuotesAreQuoted() {
        assertThat(EmissionsCsv.quote("AMD EPYC 7543 32-Core Processor")).isEqualTo("AMD EPYC 7543 32-Core Processor");
        assertThat(EmissionsCsv.quote("Intel EP80579 Integrated, 1066 MHz")).isEqualTo("\"Intel EP80579 Integrated, 1066 MHz\"");
        assertThat(EmissionsCsv.quote("a \"b\"")).isEqualTo("\"a \"\"b\"\"\"");
    }

    private static String field(List<String> row, String column) {
        return row.get(EmissionsCsv.HEADER.indexOf(column));
    }
}
