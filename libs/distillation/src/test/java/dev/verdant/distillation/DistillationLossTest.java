package dev.verdant.distillation;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DistillationLossTest {

    private static NDManager manager;

    @BeforeAll
    static void engine() {
        DjlSettings.configure();
        manager = Engine.getEngine(Distiller.TRAINING_ENGINE).newBaseManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static NDArray rows(float[]... rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return manager.create(flat, new Shape(rows.length, rows[0].length));
    }

    /**
     * Student e1, e2, e1; teacher e1, e1, e1; T = 1. Off the diagonal the teacher's similarities are
     * all 1, so p = (1/2, 1/2) in every row. Student row 0 sees (cos to 1, cos to 2) = (0, 1):
     * q = (1/(1+e), e/(1+e)), KL = 1/2 ln(1/(2 q1)) + 1/2 ln(1/(2 q2)) = ln((1+e)/2) - 1/2.
     * Row 2 is the same, row 1 sees (0, 0): KL 0. Mean over rows: 2 (ln((1+e)/2) - 1/2) / 3 = 0.0800763.
     * MSE: only row 1 differs, by (-1, 1): 2 / 6 elements = 1/3.
     */
    @Test
    void klAndMseMatchTheHandComputedValues() {
        NDArray student = rows(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 0});
        NDArray teacher = rows(new float[] {1, 0}, new float[] {1, 0}, new float[] {1, 0});
        NDArray[] parts = DistillationLoss.compute(student, teacher, 1.0, 2.0, 3.0);
        double kl = 2 * (Math.log((1 + Math.E) / 2) - 0.5) / 3;
        assertThat(kl).isCloseTo(0.0800763, within(1e-6));
        assertThat(DistillationLoss.scalar(parts[1])).isCloseTo(kl, within(1e-6));
        assertThat(DistillationLoss.scalar(parts[2])).isCloseTo(1.0 / 3, within(1e-6));
        assertThat(DistillationLoss.scalar(parts[0])).isCloseTo(2 * kl + 3.0 / 3, within(1e-5));
    }

    /** Temperature divides the similarities: at T = 0.5 student row 0 has logits (0, 2). */
    @Test
    void temperatureSharpensTheStudentsDistribution() {
        NDArray student = rows(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 0});
        NDArray teacher = rows(new float[] {1, 0}, new float[] {1, 0}, new float[] {1, 0});
        NDArray[] parts = DistillationLoss.compute(student, teacher, 0.5, 1.0, 0.0);
        double e2 = Math.exp(2);
        double row = 0.5 * Math.log(0.5 * (1 + e2)) + 0.5 * Math.log(0.5 * (1 + e2) / e2);
        assertThat(DistillationLoss.scalar(parts[0])).isCloseTo(2 * row / 3, within(1e-5));
    }

    /** Cosine ignores length: a student 3x as long as the teacher has KL 0, and MSE of the difference. */
    @Test
    void scaledCopyHasNoKlButMse() {
        NDArray teacher = rows(new float[] {1, 2}, new float[] {-1, 0.5f}, new float[] {0.3f, -2});
        NDArray student = teacher.mul(3);
        NDArray[] parts = DistillationLoss.compute(student, teacher, 0.05, 1.0, 1.0);
        assertThat(DistillationLoss.scalar(parts[1])).isCloseTo(0, within(1e-6));
        double mse = (4 * (1 + 4 + 1 + 0.25 + 0.09 + 4)) / 6;
        assertThat(DistillationLoss.scalar(parts[2])).isCloseTo(mse, within(1e-5));
    }

    @Test
    void oneSentenceHasNoDistribution() {
        NDArray[] parts = DistillationLoss.compute(rows(new float[] {1, 0}), rows(new float[] {0, 1}), 0.05, 1.0, 1.0);
        assertThat(DistillationLoss.scalar(parts[1])).isZero();
        assertThat(DistillationLoss.scalar(parts[2])).isCloseTo(1.0, within(1e-6));
    }
}
