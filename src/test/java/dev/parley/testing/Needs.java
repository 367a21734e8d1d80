package dev.parley.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Marks a test class or method that needs something outside the JVM. Checked before anything of the test
 * runs (no server is started, no instance made): when a prerequisite is missing the test is skipped with
 * its one-line reason, or fails with it when {@value Prerequisite#REQUIRE_PROPERTY} requires it. Each skip is
 * also written as a line to the file named by system property {@value Condition#SKIPPED_FILE_PROPERTY}, which
 * the build prints at its end.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(Needs.Condition.class)
public @interface Needs {

    /** What the test needs. */
    Prerequisite[] value();

    /** The JUnit condition behind {@link Needs}; JUnit calls it, tests do not. */
    final class Condition implements ExecutionCondition {

        /** The system property naming the file that collects one line per skipped test. */
        public static final String SKIPPED_FILE_PROPERTY = "parley.skipped-tests";

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            // The class's own annotation for the class, a method's own for the method: each is checked once.
            Optional<Needs> needs = context.getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, Needs.class));
            if (needs.isEmpty()) {
                return ConditionEvaluationResult.enabled("no prerequisites of its own");
            }
            for (Prerequisite p : needs.get().value()) {
                Optional<String> missing = p.missing();
                if (missing.isEmpty()) {
                    continue;
                }
                if (p.required()) {
                    throw new AssertionFailedError(missing.get() + " (-D" + Prerequisite.REQUIRE_PROPERTY + "="
                            + System.getProperty(Prerequisite.REQUIRE_PROPERTY) + " requires it)");
                }
                record(context, missing.get());
                return ConditionEvaluationResult.disabled(missing.get());
            }
            return ConditionEvaluationResult.enabled("prerequisites present");
        }

        private static void record(ExtensionContext context, String reason) {
            String file = System.getProperty(SKIPPED_FILE_PROPERTY);
            if (file == null) {
                return;
            }
            String test = context.getRequiredTestClass().getSimpleName()
                    + context.getTestMethod().map(m -> "." + m.getName()).orElse("");
            try {
                Files.writeString(Path.of(file), "SKIPPED " + test + ": " + reason + System.lineSeparator(),
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record the skip in " + file, e);
            }
        }
    }
}
