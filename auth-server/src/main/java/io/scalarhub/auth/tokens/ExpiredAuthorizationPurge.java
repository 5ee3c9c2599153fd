package io.scalarhub.auth.tokens;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Deletes the stored authorizations (oauth2_authorization) whose tokens have all expired: access tokens are
 * self-contained JWTs that the gateway and the services verify by signature, and introspection calls an expired
 * token inactive whether it is stored or not, so nothing needs such a row. Every instance runs it; a row deleted
 * by two at once is deleted once. Scheduled by the config's InstanceSchedules, every
 * {@code scalarhub.auth.authorization-purge-interval}.
 */
public class ExpiredAuthorizationPurge {

	private static final Logger logger = LoggerFactory.getLogger(ExpiredAuthorizationPurge.class);

	private final JdbcTemplate jdbc;

	public ExpiredAuthorizationPurge(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** Deletes what has expired (the row's generated expires_at, the last of its tokens' expiries); returns how many. */
	public int purge() {
		int deleted = this.jdbc.update("DELETE FROM oauth2_authorization WHERE expires_at < now()");
		if (deleted > 0) {
			logger.debug("Deleted {} expired authorizations", deleted);
		}
		return deleted;
	}

}
