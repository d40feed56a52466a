package dev.verdant.cli;

import dev.verdant.carbon.CarbonEstimate;
import dev.verdant.carbon.CarbonIntensities;
import dev.verdant.carbon.CodeCarbonModel;
import dev.verdant.carbon.CpuPower;
import dev.verdant.carbon.CpuPowerTable;
import dev.verdant.carbon.HostInfo;
import dev.verdant.carbon.Intensity;
import dev.verdant.carbon.IntensityLookup;
import dev.verdant.carbon.Pue;
import dev.verdant.events.EventJson;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Energy and carbon figures offline, with the same core (libs/carbon) the carbon accounting service uses. */
@Command(name = "carbon", description = "Energy and carbon estimates (see docs/carbon.md).",
        subcommands = {CarbonCommand.Estimate.class})
final class CarbonCommand {
    @ParentCommand
    VerdantCli cli;

    /** CPU seconds -> energy -> CO2e, with CodeCarbon's TDP model. */
    @Command(name = "estimate", mixinStandardHelpOptions = true,
            description = {"Energy and CO2e of some CPU time: E = TDP / logical CPUs x CPU s + 0.375 W/GiB x RAM x wall s,"
                    + " x PUE, x the grid's carbon intensity.",
                    "The power model and the intensity are printed with their sources."})
    static final class Estimate implements Callable<Integer> {
        @ParentCommand
        CarbonCommand carbon;

        @Option(names = "--cpu-seconds", required = true, paramLabel = "S", description = "CPU time to price")
        double cpuSeconds;

        @Option(names = "--wall-seconds", paramLabel = "S",
                description = "elapsed time, for the RAM term (default: the CPU seconds)")
        Double wallSeconds;

        @Option(names = "--ram-gb", paramLabel = "GIB", defaultValue = "0",
                description = "memory held meanwhile, GiB (default: ${DEFAULT-VALUE}, RAM not counted)")
        double ramGib;

        @Option(names = "--cpu-model", paramLabel = "M",
                description = "CPU model name as /proc/cpuinfo writes it (default: this machine's)")
        String cpuModel;

        @Option(names = "--logical-cpus", paramLabel = "N",
                description = "logical CPUs sharing the TDP (default: this machine's)")
        Integer logicalCpus;

        @Option(names = "--region", paramLabel = "REGION", defaultValue = CarbonIntensities.WORLD,
                description = "ISO 3166 alpha-3 country (FRA), WLD, owid:<country>, gcp:<region>, legacy aws:/azure:"
                        + " (default: ${DEFAULT-VALUE})")
        String region;

        @Option(names = "--pue", paramLabel = "P", defaultValue = "1.0",
                description = "data-centre power usage effectiveness (default: ${DEFAULT-VALUE}, as CodeCarbon)")
        double pue;

        @Option(names = "--json", description = "one JSON object instead of lines of text")
        boolean json;

        @Override
        public Integer call() {
            if (!(cpuSeconds >= 0) || Double.isInfinite(cpuSeconds)) {
                throw new CliException("--cpu-seconds must be a number >= 0, got " + cpuSeconds);
            }
            double wall = wallSeconds == null ? cpuSeconds : wallSeconds;
            if (!(wall >= 0) || !(ramGib >= 0) || Double.isInfinite(wall) || Double.isInfinite(ramGib)) {
                throw new CliException("--wall-seconds and --ram-gb must be numbers >= 0");
            }
            if (!(pue >= 1.0) || Double.isInfinite(pue)) {
                throw new CliException("--pue is energy at the plug / IT energy, so at least 1.0; got " + pue);
            }
            HostInfo host = cpuModel == null || logicalCpus == null ? HostInfo.detect() : null;
            String model = cpuModel != null ? cpuModel : host.cpuModel();
            int cpus = logicalCpus != null ? logicalCpus : host.logicalCpus();
            if (cpus < 1) {
                throw new CliException("--logical-cpus must be at least 1, got " + cpus);
            }
            IntensityLookup lookup = CarbonIntensities.packaged().lookup(region);
            if (lookup instanceof IntensityLookup.UnknownRegion unknown) {
                throw new CliException(unknown.message());
            }
            Intensity intensity = ((IntensityLookup.Found) lookup).intensity();
            CpuPower power = CpuPower.resolve(model, cpus, CpuPowerTable.packaged());
            CarbonEstimate estimate = CarbonEstimate.of(cpuSeconds, wall, power, ramGib, intensity, Pue.of(pue));

            var out = carbon.cli.out();
            if (json) {
                out.println(EventJson.toPrettyJson(asMap(estimate)));
                return 0;
            }
            out.printf("energy      %s J = %s kWh at the plug (IT %s kWh x PUE %s)%n", num(estimate.energyJoules()),
                    num(estimate.energyKwh()), num(estimate.itKwh()), estimate.pue().value());
            out.printf("  CPU       %s W per busy logical CPU x %s CPU s = %s J%n", num(power.wattsPerBusyCpu()),
                    num(cpuSeconds), num(estimate.cpuJoules()));
            out.printf("  RAM       %s W/GiB x %s GiB x %s s = %s J%s%n", num(CodeCarbonModel.RAM_WATTS_PER_GIB), num(ramGib),
                    num(wall), num(estimate.ramJoules()), ramGib == 0 ? " (no --ram-gb: RAM not counted)" : "");
            out.printf("power model %s: TDP %s W shared by %d logical CPUs%n", power.source().wireName(),
                    num(power.tdpWatts()), power.logicalCpus());
            out.printf("  basis     %s%n", power.basis());
            out.printf("intensity   %s: %s gCO2e/kWh (%s)%n", intensity.region(), num(intensity.gPerKwh()),
                    intensity.source());
            out.printf("emissions   %s gCO2e%n", num(estimate.emissionsG()));
            return 0;
        }

        private static Map<String, Object> asMap(CarbonEstimate e) {
            Map<String, Object> power = new LinkedHashMap<>();
            power.put("source", e.cpuPower().source());
            power.put("cpuModel", e.cpuPower().cpuModel());
            power.put("tdpWatts", e.cpuPower().tdpWatts());
            power.put("logicalCpus", e.cpuPower().logicalCpus());
            power.put("wattsPerBusyCpu", e.cpuPower().wattsPerBusyCpu());
            power.put("basis", e.cpuPower().basis());
            power.put("ramWattsPerGib", CodeCarbonModel.RAM_WATTS_PER_GIB);
            Map<String, Object> intensity = new LinkedHashMap<>();
            intensity.put("region", e.intensity().region());
            intensity.put("gPerKwh", e.intensity().gPerKwh());
            intensity.put("source", e.intensity().source());
            intensity.put("year", e.intensity().year());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("cpuSeconds", e.cpuSeconds());
            result.put("wallSeconds", e.wallSeconds());
            result.put("ramGib", e.ramGib());
            result.put("cpuJoules", e.cpuJoules());
            result.put("ramJoules", e.ramJoules());
            result.put("energyJoules", e.energyJoules());
            result.put("energyKwh", e.energyKwh());
            result.put("pue", e.pue().value());
            result.put("powerModel", power);
            result.put("intensity", intensity);
            result.put("emissionsG", e.emissionsG());
            return result;
        }

        /** At most 6 significant digits, no exponent, no trailing zeros: 14400, 0.004, 0.224156. */
        private static String num(double value) {
            return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
        }
    }
}
