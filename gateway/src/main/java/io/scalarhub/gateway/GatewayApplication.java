package io.scalarhub.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The single public entry point. Routing comes from config-server (deploy/config/gateway.yml); the token
 * check, scopes, request ids and problem details come from platform-commons, the same as in every service.
 */
@SpringBootApplication
public class GatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(GatewayApplication.class, args);
	}

}
