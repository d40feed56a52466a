package dev.verdant.distillation;

import java.util.List;

/**
 * @param teacherLayers        encoder layers of the teacher
 * @param keptLayers           teacher layers the student starts from (0-based, in order)
 * @param ffnSize              the student's FFN width
 * @param steps                optimiser steps of the whole run
 * @param resumedFromStep      the checkpoint step this process started from (0: from scratch)
 * @param batchSize            sentences per step
 * @param sentences            distinct training sentences
 * @param firstLoss            loss of the first step this process ran
 * @param finalLoss            mean loss over the last min(50, steps) steps this process ran
 * @param trainingSeconds      wall time of the training loop in this process
 * @param totalSeconds         wall time of the whole call (teacher embeddings, training, export)
 * @param studentParameters    parameters of the exported student (every initializer element)
 * @param teacherParameters    same count for the teacher
 * @param trainedParameters    parameters the optimiser updated
 * @param exportMinCosine      the lowest cosine between the ONNX student's and the DJL student's
 *                             pooled embeddings on the verification sentences (>= 0.9999 or the
 *                             run fails)
 * @param modelBytes           size of the exported file
 */
public record DistillationReport(int teacherLayers, List<Integer> keptLayers, int ffnSize, int steps,
                                 int resumedFromStep, int batchSize, int sentences, double firstLoss,
                                 double finalLoss, double trainingSeconds, double totalSeconds,
                                 long studentParameters, long teacherParameters, long trainedParameters,
                                 double exportMinCosine, long modelBytes) {

    public DistillationReport {
        keptLayers = List.copyOf(keptLayers);
    }
}
