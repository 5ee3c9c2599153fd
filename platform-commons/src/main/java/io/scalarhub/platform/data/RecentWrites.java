package io.scalarhub.platform.data;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The WAL position of each API client's last write on this instance, kept for a short window so that its
 * next reads here see that write even if the client does not send the position back. Bounded: entries
 * older than the window are dropped as new ones arrive.
 */
class RecentWrites {

	private static final int PURGE_EVERY = 1024;

	private final Map<String, Entry> byClient = new ConcurrentHashMap<>();

	private final Duration window;

	private final Clock clock;

	private final AtomicInteger writesSincePurge = new AtomicInteger();

	RecentWrites(Duration window, Clock clock) {
		this.window = window;
		this.clock = clock;
	}

	void record(String client, Lsn position) {
		Instant now = this.clock.instant();
		this.byClient.merge(client, new Entry(position, now),
				(old, latest) -> old.position().compareTo(latest.position()) > 0 ? new Entry(old.position(), now) : latest);
		if (this.writesSincePurge.incrementAndGet() % PURGE_EVERY == 0) {
			Instant oldest = now.minus(this.window);
			this.byClient.values().removeIf((entry) -> entry.at().isBefore(oldest));
		}
	}

	Lsn lastWrite(String client) {
		Entry entry = this.byClient.get(client);
		return (entry != null && entry.at().isAfter(this.clock.instant().minus(this.window))) ? entry.position() : null;
	}

	private record Entry(Lsn position, Instant at) {
	}

}
