package dev.verdant.events;

/** An enum whose JSON form is a lower-case, dash-separated name (e.g. {@code estimated-tdp}). */
interface WireEnum {
    String wireName();

    static String of(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
