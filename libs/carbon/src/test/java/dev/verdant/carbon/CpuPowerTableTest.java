package dev.verdant.carbon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.events.EnergySource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuPowerTableTest {
    private final CpuPowerTable table = CpuPowerTable.packaged();

    @ParameterizedTest(name = "{0} -> {1} ({2} W, {3})")
    @CsvSource(delimiter = '|', textBlock = """
            Intel Xeon Platinum 8380                        | Intel Xeon Platinum 8380  | 270 | EXACT
            intel xeon platinum 8380                        | Intel Xeon Platinum 8380  | 270 | EXACT
            Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz   | Intel Xeon Platinum 8375C | 300 | CLEANED_EXACT
            Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz       | Intel Xeon Gold 6248R     | 205 | CLEANED_EXACT
            AMD EPYC 7543 32-Core Processor                 | AMD EPYC 7543             | 225 | WORD_SUBSET
            AMD Ryzen 9 5950X 16-Core Processor             | AMD Ryzen 9 5950X         | 105 | WORD_SUBSET
            Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz         | Intel Core i7-8700        | 65  | WORD_SUBSET
            """)
    void knownCpusMatchTheirRow(String model, String row, double tdp, TdpMatch.Rule rule) {
        assertThat(table.match(model)).isEqualTo(new TdpMatch.Matched(model, row, tdp, rule));
    }

    @Test
    void aNameContainedInManyRowsMatchesNone() {
        // This machine's /proc/cpuinfo says only "AMD EPYC": 148 rows contain both words. CodeCarbon's
        // non-greedy matching returns no model then, and so does this table.
        TdpMatch match = table.match("AMD EPYC");
        assertThat(match).isInstanceOf(TdpMatch.Unmatched.class);
        TdpMatch.Unmatched unmatched = (TdpMatch.Unmatched) match;
        assertThat(unmatched.reason()).startsWith("148 rows of cpu_power.csv match equally well");
        assertThat(unmatched.candidates()).hasSize(5).allMatch(name -> name.startsWith("AMD EPYC"));
    }

    @Test
    void anUnknownCpuMatchesNothing() {
        assertThat(table.match("Quantum Abacus 9000"))
                .isEqualTo(new TdpMatch.Unmatched("Quantum Abacus 9000", "no row of cpu_power.csv matches",
                        java.util.List.of()));
        assertThat(table.match("  ")).isInstanceOf(TdpMatch.Unmatched.class);
        assertThat(table.match("(R) @ ")).isInstanceOf(TdpMatch.Unmatched.class);
    }

    @Test
    void aRowWithAMalformedTdpGivesNoTdp() {
        // upstream writes "27.29.5" for this CPU
        assertThat(table.match("Intel Celeron 1000A")).isEqualTo(new TdpMatch.Unmatched("Intel Celeron 1000A",
                "its row 'Intel Celeron 1000A' has a TDP that is not a number ('27.29.5')",
                java.util.List.of("Intel Celeron 1000A")));
    }

    @Test
    void cleaningFollowsCodeCarbon() {
        assertThat(CpuPowerTable.clean("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz")).isEqualTo("Intel Xeon Platinum 8375C");
        assertThat(CpuPowerTable.clean("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz")).isEqualTo("Intel Core(TM) i7-8700");
        assertThat(CpuPowerTable.clean("AMD Ryzen 7 PRO 4750U @ 1.70GHz")).isEqualTo("AMD Ryzen 7 PRO 4750U");
        assertThat(CpuPowerTable.words("Intel Core(TM) i7-8700")).containsExactly("intel", "core", "tm", "i7", "8700");
    }

    @Test
    void knownCpuGivesTheTdpModelTaggedEstimatedTdp() {
        CpuPower power = CpuPower.resolve("AMD EPYC 7543 32-Core Processor", 64, table);
        assertThat(power.source()).isEqualTo(EnergySource.ESTIMATED_TDP);
        assertThat(power.tdpWatts()).isEqualTo(225.0);
        // 225 W / 64 logical CPUs = 3.515625 W per busy CPU; x 3600 CPU s = 12656.25 J
        assertThat(power.wattsPerBusyCpu()).isEqualTo(3.515625);
        assertThat(power.joules(3600)).isEqualTo(12656.25);
        assertThat(power.basis()).contains("AMD EPYC 7543").contains("225 W").contains("word subset match");
    }

    @Test
    void unknownCpuGivesCodeCarbonsFourWattsPerLogicalCpu() {
        CpuPower power = CpuPower.resolve("AMD EPYC", 2, table);
        assertThat(power.source()).isEqualTo(EnergySource.ESTIMATED_DEFAULT);
        // DEFAULT_POWER_PER_CORE = 4 W per thread x 2 threads = 8 W; per busy CPU 4 W
        assertThat(power.tdpWatts()).isEqualTo(8.0);
        assertThat(power.wattsPerBusyCpu()).isEqualTo(4.0);
        assertThat(power.basis()).contains("not in cpu_power.csv").contains("4 W per logical CPU");
    }

    @Test
    void noModelNameGivesCodeCarbonsPowerConstant() {
        CpuPower power = CpuPower.resolve(null, 4, table);
        assertThat(power.source()).isEqualTo(EnergySource.ESTIMATED_DEFAULT);
        assertThat(power.tdpWatts()).isEqualTo(85.0);
        assertThat(power.wattsPerBusyCpu()).isEqualTo(21.25);
    }

    @Test
    void aPowerModelIsNeverTaggedAsMeasured() {
        assertThatThrownBy(() -> new CpuPower("x", 10, 1, EnergySource.MEASURED_RAPL, "b"))
                .hasMessageContaining("estimate");
        assertThatThrownBy(() -> new CpuPower("x", 10, 0, EnergySource.ESTIMATED_TDP, "b"))
                .hasMessageContaining("logical CPUs");
        assertThatThrownBy(() -> CpuPower.resolve("AMD EPYC", 2, table).joules(-1))
                .hasMessageContaining("CPU seconds must be a finite number >= 0, got -1.0");
    }
}
