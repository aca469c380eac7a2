package dev.herald.plugin;

import dev.herald.bridge.PluginServer;
import dev.herald.engine.HeraldBackend;

/** The plugin process's entry point: Herald's engine served over the go-plugin bridge. */
public final class HeraldPlugin {
    private HeraldPlugin() {
    }

    public static void main(String[] args) {
        String version = BuildVersion.read();
        PluginServer.serve(HeraldBackend.factory(version), version);
    }
}
