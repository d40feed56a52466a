package dev.verdant.events;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where an upload was found, and what noticed it. */
public record Upload(String bucket, String key, Long sizeBytes, String etag, Trigger trigger) {

    public enum Trigger implements WireEnum {
        BUCKET_NOTIFICATION, POLLER, REPLAY;

        @JsonValue
        @Override
        public String wireName() {
            return WireEnum.of(this);
        }
    }
}
