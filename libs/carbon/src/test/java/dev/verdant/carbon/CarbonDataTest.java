package dev.verdant.carbon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The packaged tables are all there, complete, with the headers the readers expect. */
class CarbonDataTest {

    @Test
    void everyCsvHasItsDocumentedRowCount() {
        // data rows = records - header (data/README.md)
        assertThat(DataFiles.csv(CpuPowerTable.FILE)).hasSize(4903 + 1);
        assertThat(DataFiles.csv(CarbonIntensities.IMPACT)).hasSize(40 + 1);
        assertThat(DataFiles.csv(CarbonIntensities.IMPACT_LEGACY)).hasSize(88 + 1);
        assertThat(DataFiles.csv(CarbonIntensities.OWID)).hasSize(4814 + 1);
    }

    @Test
    void byteOrderMarkIsDroppedAndQuotedCommasStayInTheField() {
        assertThat(DataFiles.csv(CarbonIntensities.IMPACT).get(0).get(0)).isEqualTo("provider");
        assertThat(DataFiles.csv(CpuPowerTable.FILE)).anySatisfy(row ->
                assertThat(row).containsExactly("Intel EP80579 Integrated, 1066 MHz", "18.0"));
        assertThat(DataFiles.splitCsvLine("a,\"b \"\"c\"\", d\",")).containsExactly("a", "b \"c\", d", "");
    }

    @Test
    void jsonTablesAreReadable() {
        CarbonIntensities tables = CarbonIntensities.packaged();
        assertThat(tables.countryCodes()).hasSize(213);
        assertThat(tables.fallback(CarbonIntensities.Fallback.CODECARBON_WORLD_AVERAGE).gPerKwh()).isEqualTo(475.0);
        assertThat(CpuPowerTable.packaged().size()).isEqualTo(4903);
    }

    @Test
    void dataReadmeShipsWithTheData() {
        assertThat(DataFiles.class.getResource(DataFiles.DIR + "README.md")).isNotNull();
    }
}
