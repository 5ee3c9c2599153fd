package io.scalarhub.platform.access;

import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UserDetailsRepositoryReactiveAuthenticationManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import reactor.core.publisher.Mono;

/**
 * One user, checked with HTTP Basic, for a single filter chain: the management port's operator, or discovery's
 * and config-server's apps. Each chain gets its own authentication manager, so that one door's credentials never
 * open another. Without a password nobody is let in.
 */
public final class BasicCredentials {

	/**
	 * The digest lives only in this process's memory, never in a store that could leak, so a deliberately slow
	 * hash defends against nothing here (guessing online goes through this check at its speed either way), and the
	 * passwords are random secrets generated per run. bcrypt, even at its lowest cost, was half of the registry's
	 * CPU with the suite idle: every heartbeat and registry fetch of eight apps carries these credentials. A
	 * SHA-256 digest compared in constant time costs microseconds and keeps the secret out of the user store.
	 */
	private static final PasswordEncoder ENCODER = new RandomSecretEncoder();

	private BasicCredentials() {
	}

	public static ReactiveAuthenticationManager reactive(String username, @Nullable String password) {
		if (password == null || password.isEmpty()) {
			return (authentication) -> Mono.error(new BadCredentialsException("No credentials are configured"));
		}
		UserDetailsRepositoryReactiveAuthenticationManager manager = new UserDetailsRepositoryReactiveAuthenticationManager(
				new MapReactiveUserDetailsService(user(username, password)));
		manager.setPasswordEncoder(ENCODER);
		return manager;
	}

	public static AuthenticationManager servlet(String username, @Nullable String password) {
		if (password == null || password.isEmpty()) {
			return (authentication) -> {
				throw new BadCredentialsException("No credentials are configured");
			};
		}
		DaoAuthenticationProvider provider = new DaoAuthenticationProvider(
				new InMemoryUserDetailsManager(user(username, password)));
		provider.setPasswordEncoder(ENCODER);
		return new ProviderManager(provider);
	}

	/**
	 * A servlet app whose every request needs these credentials (the registry, config-server): stateless HTTP
	 * Basic, no CSRF (the callers are apps, not browser sessions).
	 */
	public static SecurityFilterChain everyRequest(HttpSecurity http, String username, @Nullable String password)
			throws Exception {
		return http.csrf((csrf) -> csrf.disable())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.authenticationManager(servlet(username, password))
			.httpBasic(Customizer.withDefaults())
			.authorizeHttpRequests((requests) -> requests.anyRequest().authenticated())
			.build();
	}

	private static UserDetails user(String username, String password) {
		return User.withUsername(username).password(ENCODER.encode(password)).roles("OPERATOR").build();
	}

}
