package dev.herald.it;

import dev.herald.plugin.testkit.DevServerExtension;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * The machinery behind {@link OnEachServer}: the test kit's {@link DevServerExtension} (one server
 * per kind and test class, skipped or failed when its binary is missing, the log's tail on a
 * failure, closed with the class), with Herald's {@link DevServer} and {@link Herald} on top.
 */
final class ServerExtension implements TestTemplateInvocationContextProvider {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ServerExtension.class);

    /** Finds the binaries and the required servers by Herald's names: herald.bao, herald.vault, herald.it.require. */
    static final DevServerExtension SERVERS = servers();

    private static DevServerExtension servers() {
        DevServerExtension.Builder builder = DevServerExtension.builder()
                .requireProperty(ServerKind.REQUIRE_PROPERTY)
                .outputDirectory(Project.outputDir())
                .configure(DevServer::configure);
        for (ServerKind kind : ServerKind.values()) {
            builder.binaryProperty(kind.type(), kind.binaryProperty());
        }
        return builder.build();
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(OnEachServer.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        DevServer.cleanOutputOnce(Project.outputDir());
        return Stream.of(ServerKind.values()).map(kind -> SERVERS.invocation(kind.type(), new PerServer(kind)));
    }

    /** The shared server of this kind for the test class, started on first use, closed with the class. */
    static DevServer server(ExtensionContext context, ServerKind kind) {
        // The kit's server first: the store closes its values newest first, so this one closes before
        // the kit's and can still read the signing keys.
        dev.herald.plugin.testkit.DevServer started = SERVERS.server(context, kind.type());
        return classContext(context).getStore(NAMESPACE)
                .getOrComputeIfAbsent(List.of("server", kind), k -> new DevServer(started, kind), DevServer.class);
    }

    /** The Herald helper bound to the shared server of this kind. */
    static Herald herald(ExtensionContext context, ServerKind kind) {
        DevServer server = server(context, kind);
        return classContext(context).getStore(NAMESPACE)
                .getOrComputeIfAbsent(List.of("herald", kind), k -> new Herald(server), Herald.class);
    }

    private static Optional<DevServer> startedServer(ExtensionContext context, ServerKind kind) {
        return Optional.ofNullable(classContext(context).getStore(NAMESPACE).get(List.of("server", kind), DevServer.class));
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
            current = current.getParent().get();
        }
        return current;
    }

    /**
     * Herald's part of one run on one server. Its afterEach runs before the kit's (JUnit runs "after"
     * callbacks in reverse order of registration): it reads the signing keys before the mounts go.
     */
    private record PerServer(ServerKind kind) implements ParameterResolver, AfterEachCallback {

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            return type == DevServer.class || type == Herald.class || type == ServerKind.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            if (type == ServerKind.class) {
                return kind;
            }
            return type == Herald.class ? herald(context, kind) : server(context, kind);
        }

        @Override
        public void afterEach(ExtensionContext context) {
            startedServer(context, kind).ifPresent(DevServer::disableMountsAddedSinceStart);
        }
    }

    /** Carries a log excerpt into a test failure report (of the raft clusters, which the kit does not start). */
    static final class ServerLog extends Exception {
        ServerLog(String message) {
            super(message, null, false, false);
        }
    }
}
