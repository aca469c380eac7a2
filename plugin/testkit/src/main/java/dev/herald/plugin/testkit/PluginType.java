package dev.herald.plugin.testkit;

/** What kind of plugin is under test: where the catalog keeps it and where it is mounted. */
public enum PluginType {
    /** A secrets engine: catalog {@code sys/plugins/catalog/secret}, mounted with {@code sys/mounts}. */
    SECRET("secret", "sys/mounts/"),
    /** An auth method: catalog {@code sys/plugins/catalog/auth}, mounted with {@code sys/auth}. */
    AUTH("auth", "sys/auth/");

    private final String catalogName;
    private final String mountPrefix;

    PluginType(String catalogName, String mountPrefix) {
        this.catalogName = catalogName;
        this.mountPrefix = mountPrefix;
    }

    /**
     * The type's name in the plugin catalog and the CLI.
     *
     * @return {@code secret} or {@code auth}
     */
    public String catalogName() {
        return catalogName;
    }

    /** The API path that mounts a plugin of this type, up to the mount path. */
    String mountPrefix() {
        return mountPrefix;
    }
}
