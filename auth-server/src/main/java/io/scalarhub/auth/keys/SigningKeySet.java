package io.scalarhub.auth.keys;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.security.crypto.encrypt.Encryptors;
import org.springframework.security.crypto.keygen.KeyGenerators;

/**
 * The token-signing keys every instance shares. The newest key whose activation has come signs; a new key is
 * published before it activates (so that every instance serves it before any signs with it); a key a newer
 * one replaced stays published (public part, at {@code /oauth2/jwks}) until every token it signed has expired,
 * then leaves the set. Each instance reads the set again every refresh interval, and rotates when the newest
 * key is older than the rotation period (the database lock makes that one rotation, whoever notices first).
 */
public class SigningKeySet {

	private static final Logger logger = LoggerFactory.getLogger(SigningKeySet.class);

	private final SigningKeyRepository repository;

	private final SigningKeyProperties properties;

	private final Duration accessTokenTtl;

	private final Clock clock;

	private final AtomicReference<@Nullable Snapshot> snapshot = new AtomicReference<>();

	/** What this instance signs with and publishes, as last read. */
	record Snapshot(RSAKey signing, List<JWK> published) {
	}

	public SigningKeySet(SigningKeyRepository repository, SigningKeyProperties properties, Duration accessTokenTtl,
			Clock clock) {
		this.repository = repository;
		this.properties = properties;
		this.accessTokenTtl = accessTokenTtl;
		this.clock = clock;
	}

	/**
	 * Makes sure the set has a key (the configured one when the set is empty and one is given: a deployment that
	 * signed with a PEM key keeps its tokens valid), then reads it.
	 */
	public void initialise(@Nullable RSAKey configured) {
		RSAKey first = (configured != null) ? configured : SigningKeys.generate();
		if (this.repository.addIfNewestActivatedBefore(Instant.MIN, () -> stored(first, now()))) {
			logger.info("Signing key set was empty: added key {}{}", first.getKeyID(),
					(configured != null) ? " (the configured scalarhub.auth.signing-key)" : "");
		}
		refresh();
	}

	/**
	 * Rotates if the newest key is due, drops keys no token can need any more, and reads the set again; every refresh
	 * interval (the config's InstanceSchedules).
	 */
	public synchronized void refresh() {
		Instant now = now();
		if (this.repository.addIfNewestActivatedBefore(now.minus(this.properties.rotationPeriod()),
				() -> stored(SigningKeys.generate(), now.plus(activationDelay())))) {
			logger.info("Signing key older than {}: rotated", this.properties.rotationPeriod());
		}
		read();
	}

	/**
	 * A new key: published at once (here; by the other instances within a refresh interval), and signing
	 * {@link #activationDelay()} later, when every instance publishes it.
	 */
	public synchronized String rotate() {
		RSAKey next = SigningKeys.generate();
		Instant activation = now().plus(activationDelay());
		this.repository.addIfNewestActivatedBefore(Instant.MAX, () -> stored(next, activation));
		logger.info("Signing key rotated on request: {} is published now and signs from {}", next.getKeyID(),
				activation);
		read();
		return next.getKeyID();
	}

	/**
	 * How long a new key is published before it signs: two refresh intervals, so that every instance's key set
	 * has it before any instance signs with it (a verifier may fetch the key set from any of them).
	 */
	Duration activationDelay() {
		return this.properties.refreshInterval().multipliedBy(2);
	}

	/** The key tokens are signed with now. */
	public RSAKey signingKey() {
		return current().signing();
	}

	/** The public keys verifiers need: the signing key, and those whose tokens may still be valid. */
	public List<JWK> publishedKeys() {
		return current().published();
	}

	private Snapshot current() {
		Snapshot current = this.snapshot.get();
		if (current == null) {
			throw new IllegalStateException("The signing key set has not been read yet");
		}
		return current;
	}

	/** Rotation and refresh run one at a time here, so that a slower read never replaces a newer one. */
	private void read() {
		List<StoredSigningKey> keys = this.repository.findAll();
		// after the read: every key in it that was activated "now" by whoever added it is active
		Instant now = now();
		List<JWK> published = new ArrayList<>();
		List<String> expired = new ArrayList<>();
		StoredSigningKey signing = null;
		for (int i = 0; i < keys.size(); i++) {
			StoredSigningKey key = keys.get(i);
			Instant replacedAt = (i + 1 < keys.size()) ? keys.get(i + 1).activatedAt() : null;
			boolean active = !key.activatedAt().isAfter(now);
			if (active && (replacedAt == null || replacedAt.isAfter(now))) {
				signing = key;
			}
			boolean tokensMayBeValid = replacedAt == null || replacedAt.isAfter(now)
					|| replacedAt.plus(this.accessTokenTtl).plus(this.properties.verifierClockSkew()).isAfter(now);
			if (tokensMayBeValid) {
				published.add(decrypt(key).toPublicJWK());
			}
			else {
				expired.add(key.kid());
			}
		}
		if (signing == null) {
			throw new IllegalStateException("No signing key is active yet");
		}
		this.snapshot.set(new Snapshot(decrypt(signing), List.copyOf(published)));
		if (!expired.isEmpty()) {
			this.repository.delete(expired);
			logger.info("Signing keys {} left the set: every token they signed has expired", expired);
		}
	}

	/** PostgreSQL keeps microseconds (and rounds): a key activated "now" must be active when read back now. */
	private Instant now() {
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

	private StoredSigningKey stored(RSAKey key, Instant activatedAt) {
		String salt = KeyGenerators.string().generateKey();
		String encrypted = Encryptors.delux(this.properties.encryptionPassword(), salt).encrypt(key.toJSONString());
		return new StoredSigningKey(key.getKeyID(), encrypted, salt, activatedAt);
	}

	private RSAKey decrypt(StoredSigningKey key) {
		try {
			return RSAKey.parse(
					Encryptors.delux(this.properties.encryptionPassword(), key.salt()).decrypt(key.encryptedPrivateJwk()));
		}
		catch (ParseException | IllegalStateException ex) {
			throw new IllegalStateException("Signing key " + key.kid() + " cannot be decrypted: is "
					+ "scalarhub.auth.keys.encryption-password the one it was stored with?", ex);
		}
	}

}
