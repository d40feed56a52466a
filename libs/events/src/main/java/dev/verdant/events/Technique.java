package dev.verdant.events;

import com.fasterxml.jackson.annotation.JsonValue;

/** What made a variant. {@link #ORIGINAL} is the uploaded model itself. */
public enum Technique implements WireEnum {
    ORIGINAL, QUANTIZE, PRUNE, DISTILL;

    @JsonValue
    @Override
    public String wireName() {
        return WireEnum.of(this);
    }
}
