package dev.verdant.pruning.service.core;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.verdant.events.JobUsage;
import dev.verdant.events.Technique;
import dev.verdant.pruning.ActivationCalibrator;
import dev.verdant.pruning.ActivationStatistics;
import dev.verdant.pruning.Pruner;
import dev.verdant.pruning.PruningMethod;
import dev.verdant.pruning.PruningOutcome;
import dev.verdant.pruning.PruningRequest;
import dev.verdant.variants.MakeRequest;
import dev.verdant.variants.MakeResult;
import dev.verdant.variants.VariantMaker;
import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A recipe's prune step: the pruning core (libs/pruning) with the step's params. ffn, heads and
 * unstructured are calibrated by default: the model is run on the first {@code calibrationSentences}
 * STS-B train sentences (shipped in libs/evaluation) with the run's tokenizer, and the units are
 * ranked by their activations (unstructured: Wanda). One-shot, that is what keeps quality (see
 * docs/pruning.md); with {@code calibrationSentences} 0 the weights alone rank them. lowrank is
 * never calibrated. The applied parameters record the criterion and the calibration.
 */
public final class PruningMaker implements VariantMaker {
    public static final int DEFAULT_CALIBRATION_SENTENCES = ActivationCalibrator.DEFAULT_SENTENCES;

    private final Pruner pruner = new Pruner();
    private final int calibrationSentences;
    /** The last statistics measured, by sha-256 of model and tokenizer: a run's variants of one model calibrate once. */
    private String cachedKey;
    private ActivationStatistics cached;

    public PruningMaker() {
        this(DEFAULT_CALIBRATION_SENTENCES);
    }

    /** @param calibrationSentences STS-B train sentences to calibrate on; 0 ranks by weights alone */
    public PruningMaker(int calibrationSentences) {
        if (calibrationSentences < 0 || calibrationSentences > ActivationCalibrator.MAX_SENTENCES) {
            throw new IllegalArgumentException("calibration sentences must be between 0 (no calibration) and "
                    + ActivationCalibrator.MAX_SENTENCES + ", got " + calibrationSentences);
        }
        this.calibrationSentences = calibrationSentences;
    }

    @Override
    public Technique technique() {
        return Technique.PRUNE;
    }

    @Override
    public JobUsage.Kind jobKind() {
        return JobUsage.Kind.PRUNE;
    }

    @Override
    public void check(Map<String, Object> parameters) {
        PruningRequest.fromRecipeParams(parameters);
    }

    @Override
    public MakeResult make(MakeRequest request) throws IOException {
        PruningRequest pruning = PruningRequest.fromRecipeParams(request.parameters());
        byte[] source = Files.readAllBytes(request.input());
        if (calibrationSentences > 0 && pruning.method() != PruningMethod.LOWRANK) {
            ModelProto model = parseOrNull(source);
            if (model != null) { // else the pruner reports CORRUPT_INPUT
                try {
                    pruning = pruning.withCalibration(calibration(source, model, request));
                } catch (ActivationCalibrator.CalibrationException e) {
                    if (!e.reason().equals("NOT_PRUNABLE")) { // nothing to calibrate: the pruner says why
                        return new MakeResult.Failed(e.reason(), "cannot calibrate the model for " + pruning.method().wireName()
                                + " pruning: " + e.getMessage());
                    }
                }
            }
        }
        PruningOutcome outcome = pruner.prune(source, pruning);
        if (outcome instanceof PruningOutcome.Failed failed) {
            return new MakeResult.Failed(failed.reason().name(), failed.message());
        }
        PruningOutcome.Pruned pruned = (PruningOutcome.Pruned) outcome;
        Pruner.write(pruned, request.output());
        PruningOutcome.Report report = pruned.report();
        Map<String, Object> applied = new LinkedHashMap<>(request.parameters());
        applied.put("criterion", pruning.criterion());
        pruning.calibration().ifPresent(stats -> applied.put("calibration", stats.describe()));
        applied.put("parametersBefore", report.parametersBefore());
        applied.put("parametersAfter", report.parametersAfter());
        List<String> notes = new ArrayList<>();
        notes.add(pruning.describe());
        notes.add(String.format(Locale.ROOT, "parameters %,d -> %,d; file %,d -> %,d bytes", report.parametersBefore(),
                report.parametersAfter(), report.bytesBefore(), report.bytesAfter()));
        notes.addAll(report.notes());
        return new MakeResult.Made(applied, notes);
    }

    private synchronized ActivationStatistics calibration(byte[] source, ModelProto model, MakeRequest request)
            throws ActivationCalibrator.CalibrationException, IOException {
        if (!Files.isRegularFile(request.tokenizer())) {
            throw new ActivationCalibrator.CalibrationException("INVALID_CALIBRATION", "calibration runs the model on"
                    + " STS-B train sentences and needs its tokenizer.json, which the run does not have ("
                    + request.tokenizer() + ")");
        }
        String key = sha256(source) + "/" + sha256(Files.readAllBytes(request.tokenizer())) + "/" + calibrationSentences;
        if (!key.equals(cachedKey)) {
            cached = ActivationCalibrator.measureOnStsbTrain(model, request.tokenizer(), calibrationSentences);
            cachedKey = key;
        }
        return cached;
    }

    private static ModelProto parseOrNull(byte[] source) {
        try {
            return ModelProto.parseFrom(source);
        } catch (InvalidProtocolBufferException notAModel) {
            return null;
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
