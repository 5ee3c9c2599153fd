package io.scalarhub.auth.keys;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** The key set in PostgreSQL. Additions are serialised across instances by an advisory lock. */
public class SigningKeyRepository {

	/** pg_advisory_xact_lock key: one rotation at a time, whichever instance does it. */
	private static final long ROTATION_LOCK = 0x5ca1ab1e0001L;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	public SigningKeyRepository(JdbcTemplate jdbc, TransactionTemplate transactions) {
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	/** Every key, oldest activation first. */
	public List<StoredSigningKey> findAll() {
		return this.jdbc.query("SELECT kid, private_jwk, salt, activated_at FROM signing_key ORDER BY activated_at, kid",
				(row, i) -> new StoredSigningKey(row.getString(1), row.getString(2), row.getString(3),
						row.getTimestamp(4).toInstant()));
	}

	/**
	 * Adds the key {@code newKey} supplies when the newest key was activated before {@code dueBefore} (or there
	 * is none), holding the rotation lock, so that instances deciding at once add one key, not one each.
	 *
	 * @return whether a key was added
	 */
	public boolean addIfNewestActivatedBefore(Instant dueBefore, Supplier<StoredSigningKey> newKey) {
		Boolean added = this.transactions.execute((status) -> {
			this.jdbc.queryForObject("SELECT pg_advisory_xact_lock(?)", Object.class, ROTATION_LOCK);
			Timestamp newest = this.jdbc.queryForObject("SELECT max(activated_at) FROM signing_key", Timestamp.class);
			if (newest != null && !newest.toInstant().isBefore(dueBefore)) {
				return false;
			}
			StoredSigningKey key = newKey.get();
			this.jdbc.update("INSERT INTO signing_key (kid, private_jwk, salt, activated_at) VALUES (?, ?, ?, ?)",
					key.kid(), key.encryptedPrivateJwk(), key.salt(), Timestamp.from(key.activatedAt()));
			return true;
		});
		return Boolean.TRUE.equals(added);
	}

	/** Removes keys no longer published (every token they signed has expired). */
	public int delete(List<String> kids) {
		int deleted = 0;
		for (String kid : kids) {
			deleted += this.jdbc.update("DELETE FROM signing_key WHERE kid = ?", kid);
		}
		return deleted;
	}

}
