package dev.verdant.pruning;

import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SensitivityAnalysisTest {

    @Test
    void eachLayerIsPrunedAloneAndScored() throws Exception {
        byte[] source = StructuredPruningTest.tiny().toBytes();
        OnnxRunner.Batch batch = OnnxRunner.Batch.random(2, 8, StructuredPruningTest.VOCABULARY, 3);
        float[][][] reference = OnnxRunner.run(source, batch);
        // Score: minus the largest output difference to the original (0 for the original itself).
        SensitivityAnalysis.Report report = SensitivityAnalysis.analyse(source, PruningMethod.FFN, 0.5,
                model -> -OnnxRunner.maxDifference(OnnxRunner.run(OnnxGraphs.toBytes(model), batch), reference));
        assertThat(report.baseline()).isZero();
        assertThat(report.layers()).extracting(SensitivityAnalysis.LayerSensitivity::layer).containsExactly(0, 1);
        assertThat(report.layers()).allMatch(layer -> layer.loss() > 0 && layer.loss() == -layer.score());

        // The scorer sees models with exactly one layer pruned.
        List<Long> widths = new java.util.ArrayList<>();
        SensitivityAnalysis.analyse(source, PruningMethod.FFN, 0.5, model -> {
            widths.add(model.getGraph().getInitializerList().stream()
                    .filter(t -> t.getName().endsWith("intermediate.dense.weight"))
                    .mapToLong(t -> Tensors.dims(t)[1]).sum());
            return 0;
        });
        long full = 2L * StructuredPruningTest.FFN;
        assertThat(widths).containsExactly(full, full - StructuredPruningTest.FFN / 2, full - StructuredPruningTest.FFN / 2);
    }

    @Test
    void theBudgetTakesTheLeastSensitiveLayersFirst() {
        SensitivityAnalysis.Report report = new SensitivityAnalysis.Report(PruningMethod.HEADS, 0.5, 80, List.of(
                new SensitivityAnalysis.LayerSensitivity(0, 77, 3.0),
                new SensitivityAnalysis.LayerSensitivity(1, 79.5, 0.5),
                new SensitivityAnalysis.LayerSensitivity(2, 80.1, -0.1),
                new SensitivityAnalysis.LayerSensitivity(3, 79.2, 0.8)));
        assertThat(SensitivityAnalysis.layersWithinBudget(report, 1.0)).containsExactly(1, 2);
        assertThat(SensitivityAnalysis.layersWithinBudget(report, 1.3)).containsExactly(1, 2, 3);
        assertThat(SensitivityAnalysis.layersWithinBudget(report, 0)).containsExactly(2);
        assertThat(SensitivityAnalysis.layersWithinBudget(report, 10)).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aModelTheMethodCannotPruneIsAClearError() {
        byte[] cnn = OnnxGraphs.toBytes(dev.verdant.onnx.testing.RejectableModels.convolutionalNetwork());
        assertThatThrownBy(() -> SensitivityAnalysis.analyse(cnn, PruningMethod.HEADS, 0.5, model -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no encoder layer");
    }
}
