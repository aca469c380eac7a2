package dev.herald.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test once per {@link ServerKind}: {@code [bao]} and {@code [vault]}.
 *
 * <p>The test (and its {@code @BeforeEach}/{@code @AfterEach} methods) may declare parameters of type
 * {@link DevServer}, {@link Herald} and {@link ServerKind}. Servers are started on first use and
 * shared by the tests of one class, one per kind; after each test, every secrets engine the test
 * mounted is disabled again, so tests of a class must only use distinct mount paths. A kind whose
 * binary is missing is skipped with the reason shown (or fails, if {@code herald.it.require} names
 * it). When a test fails, the tail of the server log is attached to the failure.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(ServerExtension.class)
public @interface OnEachServer {
}
