package io.scalarhub.config;

import io.scalarhub.platform.access.BasicCredentials;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Every app's configuration is served only to a caller with {@link ConfigServerCredentials}. Secrets in it are
 * {@code {cipher}} values this server never decrypts (it has no key): an app decrypts them with the key from its
 * own environment.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ConfigServerCredentials.class)
class ConfigSecurityConfig {

	@Bean
	SecurityFilterChain configSecurityFilterChain(HttpSecurity http, ConfigServerCredentials credentials) throws Exception {
		return BasicCredentials.everyRequest(http, credentials.username(), credentials.password());
	}

}
