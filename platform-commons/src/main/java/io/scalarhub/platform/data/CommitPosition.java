package io.scalarhub.platform.data;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the primary's WAL stood right after a write request's transactions committed, as reported by the
 * commits themselves ({@link PositionReportingTransactionManager}). {@link ConsistencyTokenWebFilter} puts one
 * in the Reactor context of every write request and turns it into the {@code X-Consistency-Token}, so a write
 * needs no extra query (and no second pooled connection) to learn its position.
 */
public final class CommitPosition {

	private final AtomicReference<Lsn> latest = new AtomicReference<>();

	/** A commit finished at {@code position}; the latest of a request's commits is the one that counts. */
	public void record(Lsn position) {
		this.latest.accumulateAndGet(position, (known, added) -> (known == null || added.compareTo(known) > 0) ? added : known);
	}

	/** Empty when the request committed nothing itself (it may still have written through another service). */
	public Optional<Lsn> latest() {
		return Optional.ofNullable(this.latest.get());
	}

}
