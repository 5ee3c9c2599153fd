package io.scalarhub.platform.apidocs;

import java.util.LinkedHashSet;
import java.util.Set;

import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.security.ResourceServerProperties;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.parameters.QueryParameter;
import io.swagger.v3.oas.models.security.OAuthFlow;
import io.swagger.v3.oas.models.security.OAuthFlows;
import io.swagger.v3.oas.models.security.Scopes;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import tools.jackson.databind.JsonNode;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springdoc.core.customizers.OperationCustomizer;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.MethodParameter;

/**
 * Where an app publishes OpenAPI (springdoc on the classpath), the document says how to call it as an API
 * consumer does: through the public URL (the gateway's, which is also the token issuer) with a token from
 * the client-credentials flow, and which scopes exist. Swagger UI at the gateway then offers "Authorize"
 * with exactly that flow. Every operation lists the problems it can answer with (see {@link ProblemResponses}).
 */
@AutoConfiguration
@ConditionalOnClass(OpenAPI.class)
@EnableConfigurationProperties(ResourceServerProperties.class)
public class ApiDocsAutoConfiguration {

	public static final String SECURITY_SCHEME = "oauth2";

	static {
		// a body bound as a JSON tree (a merge patch, read field by field) is a JSON object to the client; left
		// alone, springdoc would describe JsonNode's Java getters (isArray, nodeType, ...) as its fields
		SpringDocUtils.getConfig()
			.replaceWithSchema(JsonNode.class, new ObjectSchema().description("a JSON object (a JSON merge patch)"));
	}

	@Bean
	@ConditionalOnMissingBean
	OpenAPI platformOpenApi(ResourceServerProperties security,
			@Value("${spring.application.name:application}") String application) {
		Scopes scopes = new Scopes();
		Set<String> names = new LinkedHashSet<>();
		security.scopeRules().forEach((rule) -> {
			names.add(rule.readScope());
			names.add(rule.writeScope());
		});
		names.forEach((scope) -> scopes.addString(scope, scope.endsWith(":read") ? "read" : "change"));
		OAuthFlow clientCredentials = new OAuthFlow().tokenUrl(security.issuer() + "/oauth2/token").scopes(scopes);
		return new OpenAPI()
			.info(new Info().title("ScalarHub " + application)
				.version("v1")
				.description("Part of the ScalarHub API; errors are RFC 9457 problem details (docs/api.md)."))
			.addServersItem(new Server().url(security.issuer()).description("the public API (gateway)"))
			.components(new Components().addSecuritySchemes(SECURITY_SCHEME,
					new SecurityScheme().type(SecurityScheme.Type.OAUTH2)
						.flows(new OAuthFlows().clientCredentials(clientCredentials))))
			.addSecurityItem(new SecurityRequirement().addList(SECURITY_SCHEME));
	}

	/**
	 * A {@link PageQuery} argument is two query parameters ({@code page}, {@code size}) bound by the platform's
	 * resolver; springdoc cannot see that and would document one object parameter instead.
	 */
	@Bean
	OperationCustomizer pageQueryParameters() {
		return (operation, handlerMethod) -> {
			for (MethodParameter parameter : handlerMethod.getMethodParameters()) {
				if (PageQuery.class.equals(parameter.getParameterType())) {
					if (operation.getParameters() != null) {
						operation.getParameters()
							.removeIf((documented) -> documented.getSchema() != null
									&& documented.getSchema().get$ref() != null
									&& documented.getSchema().get$ref().endsWith("/PageQuery"));
					}
					operation.addParametersItem(new QueryParameter().name("page")
						.description("0-based page number; out of range is a 400")
						.schema(new IntegerSchema().minimum(java.math.BigDecimal.ZERO)
							.maximum(java.math.BigDecimal.valueOf(PageQuery.MAX_PAGE))
							._default(0)));
					operation.addParametersItem(new QueryParameter().name("size")
						.description("items per page; out of range is a 400")
						.schema(new IntegerSchema().minimum(java.math.BigDecimal.ONE)
							.maximum(java.math.BigDecimal.valueOf(PageQuery.MAX_SIZE))
							._default(PageQuery.DEFAULT_SIZE)));
				}
			}
			return operation;
		};
	}

	/** The shared {@code Problem} schema that every error response of every operation refers to. */
	@Bean
	OpenApiCustomizer problemSchema() {
		return ProblemResponses::addProblemSchema;
	}

	@Bean
	OperationCustomizer problemResponses() {
		return ProblemResponses::customize;
	}

	/**
	 * A 204 or 304 has no body (RFC 9110); springdoc would still give a declared one the handler's return type.
	 */
	@Bean
	OperationCustomizer bodilessStatuses() {
		return (operation, handlerMethod) -> {
			if (operation.getResponses() != null) {
				operation.getResponses().forEach((status, response) -> {
					if ("204".equals(status) || "304".equals(status)) {
						response.setContent(null);
					}
				});
			}
			return operation;
		};
	}

}
