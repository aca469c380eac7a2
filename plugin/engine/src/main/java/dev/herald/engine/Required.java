package dev.herald.engine;

/**
 * The check of the builders of Herald's many-field values ({@link Config}, {@link Role},
 * {@link Publication}, {@link History.Event}, {@link PublisherIdentity}, {@link EndpointClaims}):
 * each field is set by name, and one left out is a programming error named at once, not a value
 * built with a hole or two fields swapped.
 */
final class Required {
    private Required() {
    }

    /**
     * @throws IllegalStateException naming the type and the field, if {@code value} was never set
     */
    static <T> T field(T value, String type, String field) {
        if (value == null) {
            throw new IllegalStateException(type + ": " + field + " is not set");
        }
        return value;
    }
}
