package dev.verdant.events;

import com.fasterxml.jackson.annotation.JsonValue;

/** How an energy figure was obtained; it travels with the figure up to the report. */
public enum EnergySource implements WireEnum {
    MEASURED_RAPL, MEASURED_NVML, ESTIMATED_TDP, ESTIMATED_DEFAULT;

    @JsonValue
    @Override
    public String wireName() {
        return WireEnum.of(this);
    }

    public boolean measured() {
        return this == MEASURED_RAPL || this == MEASURED_NVML;
    }
}
