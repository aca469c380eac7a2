package dev.herald.plugin.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;

/**
 * Runs the test once per server of the class's {@link DevServerExtension}: {@code [bao]}, then
 * {@code [vault]}. The test and its {@code @BeforeEach}/{@code @AfterEach} methods may declare
 * parameters of type {@link DevServer}, {@link Client} (with the root token) and
 * {@link ServerType}.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
public @interface ServerTest {
}
