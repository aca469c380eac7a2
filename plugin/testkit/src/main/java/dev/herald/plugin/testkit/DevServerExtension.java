package dev.herald.plugin.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.opentest4j.TestAbortedException;

/**
 * Runs each {@link ServerTest} method on real dev servers with the plugins under test registered
 * and mounted. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final DevServerExtension SERVERS = DevServerExtension.builder()
 *         .plugin(PluginUnderTest.packaged(Path.of("target/plugin"), "my-plugin").mount("my").build())
 *         .build();
 * }</pre>
 *
 * <p>One server per {@link ServerType} is started when a test of the class first needs it and is
 * shared by the class's tests; it is closed (with every process it started) when the class is
 * done, whatever the outcome. After each test, the secrets engines the test mounted are disabled
 * again; the plugins' own mounts stay, with what the tests stored in them.
 *
 * <p>A server whose binary is not found is skipped with the reason shown, unless it is required
 * ({@link Builder#require(ServerType...)}, or named in the system property {@code testkit.require}
 * or the variable {@code TESTKIT_REQUIRE}, e.g. {@code bao,vault}): then its tests fail. When a test
 * fails, the end of the server log is attached to the failure.
 */
public final class DevServerExtension implements TestTemplateInvocationContextProvider {

    private final List<ServerType> servers;
    private final Map<ServerType, Path> binaries;
    private final Map<ServerType, String> binaryProperties;
    private final Set<ServerType> required;
    private final String requireProperty;
    private final Path outputDirectory;
    private final List<PluginUnderTest> plugins;
    private final UnaryOperator<DevServer.Builder> customizer;
    /** Each extension's own servers: two extensions of one class (other plugins) do not share them. */
    private final ExtensionContext.Namespace namespace = ExtensionContext.Namespace.create(DevServerExtension.class, this);

    private DevServerExtension(Builder b) {
        this.servers = List.copyOf(b.servers);
        this.binaries = Map.copyOf(b.binaries);
        this.binaryProperties = Map.copyOf(b.binaryProperties);
        this.required = Set.copyOf(b.required);
        this.requireProperty = b.requireProperty;
        this.outputDirectory = b.outputDirectory;
        this.plugins = List.copyOf(b.plugins);
        this.customizer = b.customizer;
    }

    /**
     * A builder: both servers, no plugin, output in {@code target/testkit} (or {@code -Dtestkit.dir}).
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(ServerTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return servers.stream().map(this::invocation);
    }

    /**
     * One run of a test template on one server, with further extensions of the caller's: for a
     * harness that wraps this extension in a template of its own and resolves parameters of its
     * own types (they find the server with {@link #server(ExtensionContext, ServerType)}).
     *
     * @param type  the server
     * @param extra extensions added to the run, after the kit's own
     * @return the invocation context, shown as {@code [bao]} or {@code [vault]}
     */
    public TestTemplateInvocationContext invocation(ServerType type, Extension... extra) {
        List<Extension> extensions = new ArrayList<>();
        extensions.add(new PerServer(type));
        extensions.addAll(List.of(extra));
        return new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int invocationIndex) {
                return "[" + type.cli() + "]";
            }

            @Override
            public List<Extension> getAdditionalExtensions() {
                return extensions;
            }
        };
    }

    /**
     * The server of {@code type} shared by the test class of {@code context}: started on first use,
     * closed with the class.
     *
     * @param context any context within the test class
     * @param type    the server
     * @return the running server
     */
    public DevServer server(ExtensionContext context, ServerType type) {
        ExtensionContext classContext = classContext(context);
        String label = classContext.getTestClass().map(Class::getSimpleName).orElse("server");
        return classContext.getStore(namespace).getOrComputeIfAbsent(type, t -> start(type, label), DevServer.class);
    }

    private DevServer start(ServerType type, String label) {
        Path binary = binary(type).orElseThrow(() -> new IllegalStateException(type.missingReason(binaryProperty(type))));
        DevServer.Builder builder = DevServer.builder(type, binary).label(label).outputDirectory(outputDirectory);
        plugins.forEach(builder::plugin);
        return customizer.apply(builder).start();
    }

    /**
     * Where this extension finds the binary of {@code type}: the one given to the builder, else
     * the system property (or its variable) of {@link Builder#binaryProperty}, else the {@code PATH}.
     *
     * @param type the server
     * @return the binary, or empty if there is none
     */
    public Optional<Path> binary(ServerType type) {
        Path given = binaries.get(type);
        return given != null ? Optional.of(given)
                : type.locate(binaryProperty(type), System::getProperty, System::getenv);
    }

    /**
     * Whether a missing binary of {@code type} fails the tests instead of skipping them.
     *
     * @param type the server
     * @return true if it is required
     */
    public boolean required(ServerType type) {
        String list = System.getProperty(requireProperty);
        if (list == null) {
            list = System.getenv(requireProperty.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
        }
        return required.contains(type) || type.isNamedIn(list);
    }

    private String binaryProperty(ServerType type) {
        return binaryProperties.getOrDefault(type, "testkit." + type.cli());
    }

    /**
     * Whether the tests of a server run: yes if its binary was found; if not, they are skipped,
     * unless the server is required: then this throws, which fails each test (JUnit reports an
     * exception of a condition as the test's failure).
     */
    static ConditionEvaluationResult condition(ServerType type, Optional<Path> binary, boolean required,
            String missingReason) {
        if (binary.isPresent()) {
            return ConditionEvaluationResult.enabled(type.product() + " found at " + binary.get());
        }
        if (required) {
            throw new IllegalStateException(missingReason + ", and the tests require it");
        }
        return ConditionEvaluationResult.disabled(missingReason);
    }

    private Optional<DevServer> startedServer(ExtensionContext context, ServerType type) {
        return Optional.ofNullable(classContext(context).getStore(namespace).get(type, DevServer.class));
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
            current = current.getParent().get();
        }
        return current;
    }

    /** The extensions of one run on one server. */
    private final class PerServer implements ExecutionCondition, ParameterResolver, AfterEachCallback,
            TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
        private final ServerType type;

        PerServer(ServerType type) {
            this.type = type;
        }

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return condition(type, binary(type), required(type), type.missingReason(binaryProperty(type)));
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> t = parameter.getParameter().getType();
            return t == DevServer.class || t == Client.class || t == ServerType.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> t = parameter.getParameter().getType();
            if (t == ServerType.class) {
                return type;
            }
            DevServer server = server(context, type);
            return t == Client.class ? server.client() : server;
        }

        @Override
        public void afterEach(ExtensionContext context) {
            startedServer(context, type).ifPresent(DevServer::disableMountsAddedSinceStart);
        }

        @Override
        public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
            throw withLogTail(context, failure);
        }

        @Override
        public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
                throws Throwable {
            throw withLogTail(context, failure);
        }

        @Override
        public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure)
                throws Throwable {
            throw withLogTail(context, failure);
        }

        private Throwable withLogTail(ExtensionContext context, Throwable failure) {
            if (failure instanceof TestAbortedException) {
                return failure;
            }
            startedServer(context, type).ifPresent(server -> {
                String tail = server.logTail(80);
                failure.addSuppressed(new ServerLog(server + ", last lines of " + server.logFile() + ":\n" + tail));
                System.err.println("testkit: " + context.getDisplayName() + " failed on " + server
                        + "; last lines of its log:\n" + tail);
            });
            return failure;
        }
    }

    /** Carries an excerpt of the server log into a test failure's report. */
    static final class ServerLog extends Exception {
        private static final long serialVersionUID = 1L;

        ServerLog(String message) {
            super(message, null, false, false);
        }
    }

    /** Builds a {@link DevServerExtension}. */
    public static final class Builder {
        private final Set<ServerType> servers = new LinkedHashSet<>(List.of(ServerType.values()));
        private final Map<ServerType, Path> binaries = new EnumMap<>(ServerType.class);
        private final Map<ServerType, String> binaryProperties = new EnumMap<>(ServerType.class);
        private final Set<ServerType> required = new LinkedHashSet<>();
        private String requireProperty = "testkit.require";
        private Path outputDirectory = Path.of(System.getProperty("testkit.dir", "target/testkit"));
        private final List<PluginUnderTest> plugins = new ArrayList<>();
        private UnaryOperator<DevServer.Builder> customizer = UnaryOperator.identity();

        private Builder() {
        }

        /**
         * A plugin to register and mount on every server (several may be given).
         *
         * @param plugin the plugin
         * @return this builder
         */
        public Builder plugin(PluginUnderTest plugin) {
            plugins.add(plugin);
            return this;
        }

        /**
         * The servers to run the tests on, in this order (default: OpenBao, then Vault).
         *
         * @param types the servers
         * @return this builder
         */
        public Builder servers(ServerType... types) {
            if (types.length == 0) {
                throw new IllegalArgumentException("at least one server");
            }
            servers.clear();
            servers.addAll(List.of(types));
            return this;
        }

        /**
         * The binary of a server, instead of looking it up.
         *
         * @param type   the server
         * @param binary its executable
         * @return this builder
         */
        public Builder binary(ServerType type, Path binary) {
            binaries.put(type, binary);
            return this;
        }

        /**
         * The system property that names a server's binary (default {@code testkit.<cli>}); the
         * environment variable of the same name in upper case with {@code _} for {@code .} is read
         * when the property is not set.
         *
         * @param type     the server
         * @param property the property, e.g. {@code myproject.vault}
         * @return this builder
         */
        public Builder binaryProperty(ServerType type, String property) {
            binaryProperties.put(type, property);
            return this;
        }

        /**
         * Servers whose tests fail, rather than skip, when their binary is missing.
         *
         * @param types the servers
         * @return this builder
         */
        public Builder require(ServerType... types) {
            required.addAll(List.of(types));
            return this;
        }

        /**
         * The system property that lists the required servers, as {@code bao,vault} (default
         * {@code testkit.require}; its variable, e.g. {@code TESTKIT_REQUIRE}, is read when it is
         * not set).
         *
         * @param property the property
         * @return this builder
         */
        public Builder requireProperty(String property) {
            this.requireProperty = property;
            return this;
        }

        /**
         * Where the servers' {@code logs/} and {@code work/} go (default {@code target/testkit}, or
         * the system property {@code testkit.dir}).
         *
         * @param directory the directory
         * @return this builder
         */
        public Builder outputDirectory(Path directory) {
            this.outputDirectory = directory;
            return this;
        }

        /**
         * Adjusts each server before it starts, e.g. {@code b -> b.config("raw_storage_endpoint = true")}.
         *
         * @param customizer applied to each server's builder
         * @return this builder
         */
        public Builder configure(UnaryOperator<DevServer.Builder> customizer) {
            UnaryOperator<DevServer.Builder> before = this.customizer;
            this.customizer = b -> customizer.apply(before.apply(b));
            return this;
        }

        /**
         * The extension.
         *
         * @return an immutable extension, for a static {@code @RegisterExtension} field
         */
        public DevServerExtension build() {
            return new DevServerExtension(this);
        }
    }
}
