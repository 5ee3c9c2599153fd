package io.scalarhub.auth.keys;

import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.jwk.JWK;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/signingkeys} on the management port (operator credentials): which key signs and which are
 * published; a POST rotates (the new key is published at once and signs two refresh intervals later). Key ids
 * only, never key material.
 */
@Endpoint(id = "signingkeys")
public class SigningKeysEndpoint {

	private final SigningKeySet keys;

	public SigningKeysEndpoint(SigningKeySet keys) {
		this.keys = keys;
	}

	@ReadOperation
	public Map<String, Object> keys() {
		return describe();
	}

	@WriteOperation
	public Map<String, Object> rotate() {
		this.keys.rotate();
		return describe();
	}

	private Map<String, Object> describe() {
		Map<String, Object> description = new LinkedHashMap<>();
		description.put("signing", this.keys.signingKey().getKeyID());
		description.put("published", this.keys.publishedKeys().stream().map(JWK::getKeyID).toList());
		return description;
	}

}
