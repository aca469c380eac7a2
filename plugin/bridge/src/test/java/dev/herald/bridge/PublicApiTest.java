package dev.herald.bridge;

import dev.herald.sdk.Backend;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API plugin authors compile against (herald-plugin-sdk and herald-plugin-runtime) shows none
 * of the runtime's wire types: a plugin must not depend on the gRPC, protobuf or Netty versions the
 * runtime happens to use, nor on its generated stubs. Packages named {@code internal} are not API.
 */
class PublicApiTest {
    /** Type name prefixes that must not appear in a public signature. */
    private static final List<String> WIRE_TYPES = List.of("io.grpc.", "com.google.protobuf.", "io.netty.", "dev.herald.proto.");

    @Test
    void sdkAndRuntimeSignaturesShowNoWireTypes() throws Exception {
        List<Class<?>> api = new ArrayList<>();
        api.addAll(publicTypes(Backend.class));
        api.addAll(publicTypes(PluginServer.class));
        assertTrue(api.size() > 20, "found the sdk's and the runtime's classes: " + api);
        List<String> leaks = new ArrayList<>();
        api.forEach(type -> leaks.addAll(wireTypesIn(type)));
        assertEquals(List.of(), leaks);
    }

    @Test
    void theRuntimeExportsOnlyItsEntryPointAndTheSimulator() throws Exception {
        // Anything else public is a promise to plugin authors; make it on purpose, or move it to an internal package.
        assertEquals(List.of(HostSimulator.class.getName(), PluginServer.class.getName()),
                publicTypes(PluginServer.class).stream().map(Class::getName).sorted().toList());
    }

    @Test
    void aWireTypeInAnySignatureIsFound() {
        assertEquals(Set.of(
                        "Leaky.status: field type io.grpc.Status",
                        "Leaky.reply(): returns io.grpc.Status",
                        "Leaky.take(java.util.List): parameter java.util.List<? extends com.google.protobuf.MessageLite>",
                        "Leaky.Leaky(io.netty.buffer.ByteBuf): parameter io.netty.buffer.ByteBuf"),
                new HashSet<>(wireTypesIn(Leaky.class)));
        assertEquals(List.of("Observer: extends io.grpc.stub.StreamObserver<java.lang.String>"), wireTypesIn(Observer.class));
        // PluginServer keeps a gRPC server in a private field and builds it in private methods
        assertEquals(List.of(), wireTypesIn(PluginServer.class), "private members do not count");
    }

    /** The wire types in the public and protected signatures of {@code type} and of its public nested types. */
    static List<String> wireTypesIn(Class<?> type) {
        List<String> found = new ArrayList<>();
        String owner = type.getSimpleName();
        check(owner + ": extends ", type.getGenericSuperclass(), found);
        for (Type implemented : type.getGenericInterfaces()) {
            check(owner + ": extends ", implemented, found);
        }
        for (TypeVariable<?> variable : type.getTypeParameters()) {
            check(owner + ": type parameter ", variable, found);
        }
        for (Field field : type.getDeclaredFields()) {
            if (exposed(field)) {
                check(owner + "." + field.getName() + ": field type ", field.getGenericType(), found);
            }
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (exposed(constructor)) {
                String where = owner + "." + owner + signature(constructor.getParameterTypes());
                checkAll(where, constructor.getGenericParameterTypes(), constructor.getGenericExceptionTypes(), found);
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (exposed(method) && !method.isSynthetic()) {
                String where = owner + "." + method.getName() + signature(method.getParameterTypes());
                check(where + ": returns ", method.getGenericReturnType(), found);
                checkAll(where, method.getGenericParameterTypes(), method.getGenericExceptionTypes(), found);
                for (TypeVariable<?> variable : method.getTypeParameters()) {
                    check(where + ": type parameter ", variable, found);
                }
            }
        }
        for (Class<?> nested : type.getDeclaredClasses()) {
            if (exposed(nested.getModifiers())) {
                found.addAll(wireTypesIn(nested));
            }
        }
        return found;
    }

    private static void checkAll(String where, Type[] parameters, Type[] exceptions, List<String> found) {
        for (Type parameter : parameters) {
            check(where + ": parameter ", parameter, found);
        }
        for (Type exception : exceptions) {
            check(where + ": throws ", exception, found);
        }
    }

    private static void check(String where, Type type, List<String> found) {
        if (type != null && mentionsWireType(type, new HashSet<>())) {
            found.add(where + type.getTypeName());
        }
    }

    private static boolean mentionsWireType(Type type, Set<TypeVariable<?>> seen) {
        return switch (type) {
            case Class<?> c -> c.isArray() ? mentionsWireType(c.getComponentType(), seen)
                    : WIRE_TYPES.stream().anyMatch(c.getName()::startsWith);
            case ParameterizedType p -> mentionsWireType(p.getRawType(), seen)
                    || Stream.of(p.getActualTypeArguments()).anyMatch(t -> mentionsWireType(t, seen));
            case WildcardType w -> Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds()))
                    .anyMatch(t -> mentionsWireType(t, seen));
            case GenericArrayType a -> mentionsWireType(a.getGenericComponentType(), seen);
            // T extends Comparable<T> refers to itself: look at each variable's bounds once
            case TypeVariable<?> v -> seen.add(v) && Stream.of(v.getBounds()).anyMatch(t -> mentionsWireType(t, seen));
            default -> false;
        };
    }

    private static boolean exposed(Member member) {
        return exposed(member.getModifiers());
    }

    private static boolean exposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String signature(Class<?>[] parameters) {
        return "(" + String.join(", ", Stream.of(parameters).map(Class::getName).toList()) + ")";
    }

    /**
     * The public top-level types of the packages (and their subpackages, internal ones aside) of
     * {@code anchor}'s package, found where {@code anchor} was loaded from: a classes directory or a jar.
     */
    static List<Class<?>> publicTypes(Class<?> anchor) throws IOException, URISyntaxException, ClassNotFoundException {
        Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        String packagePath = anchor.getPackageName().replace('.', '/');
        Set<String> names = new TreeSet<>();
        try (FileSystem jar = Files.isDirectory(location) ? null : FileSystems.newFileSystem(location)) {
            Path root = jar == null ? location : jar.getPath("/");
            try (Stream<Path> files = Files.walk(root.resolve(packagePath))) {
                files.map(file -> root.relativize(file).toString())
                        .filter(name -> name.endsWith(".class") && !name.contains("$") && !name.contains("/internal/"))
                        .filter(name -> !name.endsWith("package-info.class"))
                        .forEach(name -> names.add(name.substring(0, name.length() - ".class".length()).replace('/', '.')));
            }
        }
        List<Class<?>> types = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(name, false, anchor.getClassLoader());
            if (Modifier.isPublic(type.getModifiers())) {
                types.add(type);
            }
        }
        return types;
    }

    /** Fixtures: every way a wire type can slip into a signature. */
    public static class Leaky {
        public io.grpc.Status status;
        private io.grpc.Status hidden;

        public Leaky(io.netty.buffer.ByteBuf buffer) {
        }

        public io.grpc.Status reply() {
            return hidden;
        }

        protected void take(List<? extends com.google.protobuf.MessageLite> messages) {
        }

        void packagePrivate(io.grpc.Status status) {
        }
    }

    /** A fixture that extends a wire type. */
    public interface Observer extends io.grpc.stub.StreamObserver<String> {
    }
}
