package io.scalarhub.auth.config;

import java.time.Duration;

import io.scalarhub.auth.clients.Tier;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The configuration is checked as Spring Boot binds it, so a bad one stops start-up with a clear message. */
class AuthServerPropertiesTest {

	static final String HASHED_SECRET = "{bcrypt}$2a$10$MgrxmfcPf/o55tQp5OHFHeWOoEsdTpa/8Yi3R6UJQm7FupEoEkc7y";

	final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesConfiguration.class)
		.withPropertyValues("scalarhub.auth.issuer=http://localhost:8080");

	@Test
	void bindsAValidConfiguration() {
		this.contextRunner
			.withPropertyValues("scalarhub.auth.signing-key=", "scalarhub.auth.clients.demo.secret=" + HASHED_SECRET,
					"scalarhub.auth.clients.demo.scopes=customers:read,billing:run",
					"scalarhub.auth.clients.demo.tier=standard",
					"scalarhub.auth.clients.demo.tenant=d3e00000-0000-4000-8000-000000000001")
			.run((context) -> {
				AuthServerProperties properties = context.getBean(AuthServerProperties.class);
				assertThat(properties.issuer()).isEqualTo("http://localhost:8080");
				assertThat(properties.signingKey()).as("an empty signing-key means none").isNull();
				assertThat(properties.accessTokenTtl()).isEqualTo(Duration.ofMinutes(15));
				assertThat(properties.clients()).containsOnlyKeys("demo");
				AuthServerProperties.Client demo = properties.clients().get("demo");
				assertThat(demo.scopes()).containsExactly("customers:read", "billing:run");
				assertThat(demo.tier()).isEqualTo(Tier.STANDARD);
				assertThat(demo.tenant()).hasToString("d3e00000-0000-4000-8000-000000000001");
			});
	}

	@Test
	void requiresATenantOfEveryApiClient() {
		this.contextRunner
			.withPropertyValues("scalarhub.auth.clients.demo.secret=" + HASHED_SECRET,
					"scalarhub.auth.clients.demo.scopes=customers:read", "scalarhub.auth.clients.demo.tier=free")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("scalarhub.auth.clients.demo.tenant is missing"));
	}

	@Test
	void neverGrantsTheInternalScopeToAnApiClient() {
		this.contextRunner
			.withPropertyValues("scalarhub.auth.clients.demo.secret=" + HASHED_SECRET,
					"scalarhub.auth.clients.demo.scopes=customers:read,internal", "scalarhub.auth.clients.demo.tier=free",
					"scalarhub.auth.clients.demo.tenant=d3e00000-0000-4000-8000-000000000001")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("scalarhub.auth.clients.demo.scopes has 'internal'"));
	}

	@Test
	void listsEveryProblemWithTheClients() {
		this.contextRunner
			.withPropertyValues("scalarhub.auth.clients.plain.secret=demo-secret",
					"scalarhub.auth.clients.plain.scopes=customers:read", "scalarhub.auth.clients.plain.tier=free",
					"scalarhub.auth.clients.bare.tier=enterprise")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("Invalid scalarhub.auth configuration")
				.hasMessageContaining("scalarhub.auth.clients.plain.secret must be stored hashed")
				.hasMessageNotContaining("demo-secret")
				.hasMessageContaining("scalarhub.auth.clients.bare.secret is missing")
				.hasMessageContaining("scalarhub.auth.clients.bare.scopes must list at least one scope"));
	}

	@Test
	void requiresATier() {
		this.contextRunner
			.withPropertyValues("scalarhub.auth.clients.demo.secret=" + HASHED_SECRET,
					"scalarhub.auth.clients.demo.scopes=customers:read")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("scalarhub.auth.clients.demo.tier is missing: one of free, standard, enterprise"));
	}

	@Test
	void refusesAnUnknownTier() {
		this.contextRunner
			.withPropertyValues("scalarhub.auth.clients.demo.secret=" + HASHED_SECRET,
					"scalarhub.auth.clients.demo.scopes=customers:read", "scalarhub.auth.clients.demo.tier=gold")
			// Boot's failure report names the property and lists the valid values
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("Failed to bind properties under 'scalarhub.auth.clients.demo.tier'")
				.rootCause()
				.hasMessageContaining("gold"));
	}

	@Test
	void refusesAScopeWithASpace() {
		this.contextRunner
			.withPropertyValues("scalarhub.auth.clients.demo.secret=" + HASHED_SECRET,
					"scalarhub.auth.clients.demo.scopes=customers:read billing:run",
					"scalarhub.auth.clients.demo.tier=free")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("invalid scope 'customers:read billing:run'"));
	}

	@Test
	void requiresAtLeastOneClientAndAUsableIssuerAndTtl() {
		new ApplicationContextRunner().withUserConfiguration(PropertiesConfiguration.class)
			.withPropertyValues("scalarhub.auth.issuer=http://localhost:8080/", "scalarhub.auth.access-token-ttl=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("scalarhub.auth.issuer must not end with '/'")
				.hasMessageContaining("scalarhub.auth.access-token-ttl must be positive")
				.hasMessageContaining("scalarhub.auth.clients is empty"));
		new ApplicationContextRunner().withUserConfiguration(PropertiesConfiguration.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("scalarhub.auth.issuer is missing"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(AuthServerProperties.class)
	static class PropertiesConfiguration {

	}

}
