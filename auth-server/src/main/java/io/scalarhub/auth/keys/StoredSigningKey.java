package io.scalarhub.auth.keys;

import java.time.Instant;

/**
 * A row of the key set: the private key is still encrypted.
 *
 * @param kid the key id (the key's RFC 7638 thumbprint)
 * @param encryptedPrivateJwk the private JWK, encrypted
 * @param salt the hex salt of that encryption
 * @param activatedAt from when it signs (until a newer key's activation)
 */
public record StoredSigningKey(String kid, String encryptedPrivateJwk, String salt, Instant activatedAt) {
}
