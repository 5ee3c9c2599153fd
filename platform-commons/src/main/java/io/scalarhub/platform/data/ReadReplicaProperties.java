package io.scalarhub.platform.data;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The read replica an app may send its read-only transactions to. Without a {@code url}, every transaction
 * goes to the primary ({@code spring.r2dbc.*}) and nothing here applies.
 *
 * @param url R2DBC URL of the replica; pool options ride along ({@code r2dbc:pool:postgresql://…?maxSize=10})
 * @param username replica login (the primary's by default in deploy/config)
 * @param password replica password
 * @param maxLag above this replay lag, reads go to the primary until the replica catches up
 * @param checkInterval how often the replica's health and lag are measured while reads use it
 * @param idleCheckInterval how often they are measured when no read asked for the replica for that long; the
 * first read after such a quiet spell waits for one measurement (shared with the reads that come meanwhile)
 * @param connectTimeout how long a read waits for a replica connection before it goes to the primary
 * @param retryAfter how long a failed replica is left alone before it is probed again (circuit open)
 * @param recentWriteWindow how long a client's reads follow its last write's position (read-your-writes
 * without the client's help; see {@link ConsistencyTokenWebFilter})
 */
@ConfigurationProperties("scalarhub.r2dbc.replica")
public record ReadReplicaProperties(String url, String username, String password,
		@DefaultValue("1s") Duration maxLag, @DefaultValue("250ms") Duration checkInterval,
		@DefaultValue("500ms") Duration connectTimeout, @DefaultValue("1s") Duration retryAfter,
		@DefaultValue("30s") Duration recentWriteWindow, @DefaultValue("5s") Duration idleCheckInterval) {
}
