package dev.verdant.quantization.service.messaging;

import dev.verdant.quantization.service.core.QuantizationMaker;
import dev.verdant.variants.VariantMaker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The quantization service's part of the technique runtime (libs/technique-service): its maker. */
@Singleton
class QuantizationMakerBean {

    @Produces
    @Singleton
    VariantMaker maker() {
        return new QuantizationMaker();
    }
}
