package dev.herald.client.cli;

import dev.herald.client.TokenSource;
import dev.herald.client.VaultClient;
import dev.herald.sdk.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald consumers}: the sessions that consume a service (DESIGN §5.8) with their last
 * acknowledged {@code seq} and time, every page of {@code consumers/:service} read, and the
 * summary an operator graphs; {@code --summary} prints only that.
 */
@Command(name = "consumers", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print a service's consumers (sessions, their last acknowledged seq and time) and a summary.")
final class ConsumersCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Option(names = "--summary", description = "Print only the summary (counts, oldest unacknowledged age).")
    boolean summaryOnly;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() {
        VaultClient client = connection.vaultClient();
        TokenSource tokens = connection.tokens(client);
        String path = connection.mount() + "/consumers/" + service;
        Map<String, Object> first = client.get(path + (summaryOnly ? "?limit=1" : ""), tokens.token()).data();
        if (summaryOnly) {
            System.out.println(Json.write(first.get("summary")));
            return HeraldCli.OK;
        }
        List<Object> consumers = new ArrayList<>(first.get("consumers") instanceof List<?> list ? list : List.of());
        Object next = first.get("next");
        String previous = "";
        while (next instanceof String after && !after.isEmpty() && after.compareTo(previous) > 0) { // pages only move on
            previous = after;
            Map<String, Object> page = client.get(path + "?after=" + URLEncoder.encode(after, StandardCharsets.UTF_8),
                    tokens.token()).data();
            if (page.get("consumers") instanceof List<?> list) {
                consumers.addAll(list);
            }
            next = page.get("next");
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("service", service);
        all.put("consumers", consumers);
        all.put("summary", first.get("summary"));
        System.out.println(Json.write(all));
        return HeraldCli.OK;
    }
}
