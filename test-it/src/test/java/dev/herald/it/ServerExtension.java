package dev.herald.it;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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

/** The machinery behind {@link OnEachServer}. */
final class ServerExtension implements TestTemplateInvocationContextProvider {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ServerExtension.class);

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(OnEachServer.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return Stream.of(ServerKind.values()).map(Invocation::new);
    }

    /** The shared server of this kind for the test class, started on first use, closed with the class. */
    static DevServer server(ExtensionContext context, ServerKind kind) {
        ExtensionContext classContext = classContext(context);
        String label = classContext.getRequiredTestClass().getSimpleName();
        return classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(kind, k -> DevServer.start(kind, label), DevServer.class);
    }

    /** The Herald helper bound to the shared server of this kind. */
    static Herald herald(ExtensionContext context, ServerKind kind) {
        DevServer server = server(context, kind);
        return classContext(context).getStore(NAMESPACE)
                .getOrComputeIfAbsent(List.of("herald", kind), k -> new Herald(server), Herald.class);
    }

    /**
     * Whether the tests of {@code kind} run: yes if its binary was found; if not, they are skipped,
     * unless the kind is required: then this throws, which fails each test (JUnit reports an
     * exception thrown by a condition as the test's failure).
     */
    static ConditionEvaluationResult condition(ServerKind kind, Optional<Path> binary, boolean required) {
        if (binary.isPresent()) {
            return ConditionEvaluationResult.enabled(kind.product() + " found");
        }
        if (required) {
            throw new IllegalStateException(kind.missingReason() + ", and herald.it.require / HERALD_IT_REQUIRE "
                    + "requires it");
        }
        return ConditionEvaluationResult.disabled(kind.missingReason());
    }

    private static Optional<DevServer> startedServer(ExtensionContext context, ServerKind kind) {
        return Optional.ofNullable(classContext(context).getStore(NAMESPACE).get(kind, DevServer.class));
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
            current = current.getParent().get();
        }
        return current;
    }

    /** One run of a test on one kind of server. */
    private record Invocation(ServerKind kind) implements TestTemplateInvocationContext {

        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + kind.cli() + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new PerServer(kind));
        }
    }

    /** The extensions of one invocation. */
    private record PerServer(ServerKind kind) implements ExecutionCondition, ParameterResolver, AfterEachCallback,
            TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return condition(kind, kind.binary(), kind.required());
        }

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
            startedServer(context, kind).ifPresent(server -> {
                String tail = server.logTail(80);
                failure.addSuppressed(new ServerLog(server + ", last lines of " + server.logFile() + ":\n" + tail));
                System.err.println("herald-it: " + context.getDisplayName() + " failed on " + server
                        + "; last lines of its log:\n" + tail);
            });
            return failure;
        }
    }

    /** Carries a server log excerpt into a test failure report. */
    static final class ServerLog extends Exception {
        ServerLog(String message) {
            super(message, null, false, false);
        }
    }
}
