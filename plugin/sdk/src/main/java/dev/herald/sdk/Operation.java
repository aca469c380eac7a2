package dev.herald.sdk;

import java.util.Optional;

/** The operations a Vault/OpenBao server sends to a secrets engine, with their wire names. */
public enum Operation {
    CREATE("create"),
    READ("read"),
    UPDATE("update"),
    PATCH("patch"),
    DELETE("delete"),
    LIST("list"),
    /** OpenBao only: recursive listing. */
    SCAN("scan"),
    HELP("help"),
    /** HTTP HEAD. */
    HEADER("header"),
    RENEW("renew"),
    REVOKE("revoke"),
    /** Periodic work, sent by the server about once a minute and when a mount goes away. */
    ROLLBACK("rollback");

    private final String wireName;

    Operation(String wireName) {
        this.wireName = wireName;
    }

    /** The operation's name on the wire and in policies ({@code "read"}, {@code "update"}...). */
    public String wireName() {
        return wireName;
    }

    /** Whether the operation writes: these are the ones whose unknown fields are refused. */
    public boolean writes() {
        return this == CREATE || this == UPDATE || this == PATCH;
    }

    /** The operation of a wire name, or empty for one this sdk does not know (e.g. {@code alias-lookahead}). */
    public static Optional<Operation> fromWireName(String name) {
        for (Operation operation : values()) {
            if (operation.wireName.equals(name)) {
                return Optional.of(operation);
            }
        }
        return Optional.empty();
    }
}
