package io.scalarhub.config;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What an app presents to read its configuration. Apps send them as {@code spring.cloud.config.username} and
 * {@code password} (in the environment: {@code SPRING_CLOUD_CONFIG_USERNAME}, {@code SPRING_CLOUD_CONFIG_PASSWORD}).
 *
 * @param username the user name
 * @param password the password, from the environment ({@code SCALARHUB_CONFIG_SERVER_PASSWORD}); none: nobody
 * reads any configuration
 */
@ConfigurationProperties("scalarhub.config-server")
public record ConfigServerCredentials(@DefaultValue("scalarhub") String username, @Nullable String password) {
}
