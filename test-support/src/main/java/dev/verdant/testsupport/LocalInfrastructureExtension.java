package dev.verdant.testsupport;

import dev.verdant.infra.InfraEndpoints;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the {@link SharedLocalInfrastructure} before a test class and injects its
 * {@link InfraEndpoints} into test methods, constructors and lifecycle methods that declare one.
 * Use it through {@link WithLocalInfrastructure}.
 */
public final class LocalInfrastructureExtension implements BeforeAllCallback, ParameterResolver {

    /** Starting here rather than on first injection makes a broken start fail the class, once. */
    @Override
    public void beforeAll(ExtensionContext context) {
        SharedLocalInfrastructure.endpoints();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == InfraEndpoints.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return SharedLocalInfrastructure.endpoints();
    }
}
