package dev.herald.sdk;

import java.util.Optional;

/** The operations a Vault/OpenBao server sends to a secrets engine, with their wire names. */
public enum Operation {
    /** A write to something that does not exist yet (as the path's existence check says). */
    CREATE("create"),
    /** A read (HTTP GET). */
    READ("read"),
    /** A write to something that exists, or to a path without an existence check. */
    UPDATE("update"),
    /** HTTP PATCH: a partial update. */
    PATCH("patch"),
    /** A delete. */
    DELETE("delete"),
    /** A listing (LIST, or GET with {@code ?list=true}). */
    LIST("list"),
    /** OpenBao only: recursive listing. */
    SCAN("scan"),
    /** {@code path-help}: answered by the sdk from the paths' declarations. */
    HELP("help"),
    /** HTTP HEAD. */
    HEADER("header"),
    /** The renewal of a lease this mount issued. */
    RENEW("renew"),
    /** The revocation of a lease this mount issued. */
    REVOKE("revoke"),
    /** Periodic work, sent by the server about once a minute and when a mount goes away. */
    ROLLBACK("rollback");

    private final String wireName;

    Operation(String wireName) {
        this.wireName = wireName;
    }

    /** {@return the operation's name on the wire and in policies ({@code "read"}, {@code "update"}...)} */
    public String wireName() {
        return wireName;
    }

    /** {@return whether the operation writes: these are the ones whose unknown fields are refused} */
    public boolean writes() {
        return this == CREATE || this == UPDATE || this == PATCH;
    }

    /**
     * The operation of a wire name.
     *
     * @param name the name on the wire, e.g. {@code "read"}
     * @return the operation, or empty for one this sdk does not know (e.g. {@code alias-lookahead})
     */
    public static Optional<Operation> fromWireName(String name) {
        for (Operation operation : values()) {
            if (operation.wireName.equals(name)) {
                return Optional.of(operation);
            }
        }
        return Optional.empty();
    }
}
