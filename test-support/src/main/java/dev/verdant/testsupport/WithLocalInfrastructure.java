package dev.verdant.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against the shared local Kafka + S3; declare an
 * {@link dev.verdant.infra.InfraEndpoints} parameter to get their addresses:
 * <pre>
 * &#64;WithLocalInfrastructure
 * class UploadIT {
 *     &#64;Test
 *     void uploads(InfraEndpoints infra) { ... }
 * }
 * </pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LocalInfrastructureExtension.class)
public @interface WithLocalInfrastructure {
}
