package io.scalarhub.gateway.ratelimit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets kept in this gateway instance's memory: the limiter's fallback while Redis cannot be asked.
 * Same arithmetic as the Redis script, but each instance counts on its own (a client spread over N instances
 * gets up to N times its limit), which is the price of not depending on Redis. Bounded: idle buckets are
 * dropped when the map grows past {@code maxClients}.
 */
class LocalTokenBuckets {

	private final Map<String, State> buckets = new ConcurrentHashMap<>();

	private final int maxClients;

	private final LongSupplier clockMillis;

	LocalTokenBuckets(int maxClients, LongSupplier clockMillis) {
		this.maxClients = maxClients;
		this.clockMillis = clockMillis;
	}

	RateLimitDecision take(String key, RateLimitProperties.Bucket bucket) {
		long now = this.clockMillis.getAsLong();
		if (this.buckets.size() >= this.maxClients) {
			evictFull(now);
		}
		State state = this.buckets.computeIfAbsent(key, (ignored) -> new State(bucket.capacity(), now));
		synchronized (state) {
			double tokens = Math.min(bucket.capacity(),
					state.tokens + Math.max(0, now - state.at) * bucket.refillPerSecond() / 1000);
			boolean allowed = tokens >= 1;
			if (allowed) {
				tokens -= 1;
			}
			state.tokens = tokens;
			state.at = now;
			long msToFull = (long) Math.ceil((bucket.capacity() - tokens) * 1000 / bucket.refillPerSecond());
			long msToNext = allowed ? 0 : (long) Math.ceil((1 - tokens) * 1000 / bucket.refillPerSecond());
			return RateLimitDecision.of(allowed, bucket.capacity(), (long) Math.floor(tokens), msToFull, msToNext,
					RateLimitDecision.Source.FALLBACK);
		}
	}

	/** Forgets everything counted, so that a later outage starts from full buckets, as Redis would. */
	void clear() {
		this.buckets.clear();
	}

	private void evictFull(long now) {
		// a bucket untouched for a minute is full again for any sane tier: forgetting it changes nothing
		Iterator<State> states = this.buckets.values().iterator();
		while (states.hasNext()) {
			if (now - states.next().at > 60_000) {
				states.remove();
			}
		}
		if (this.buckets.size() >= this.maxClients) {
			this.buckets.clear();
		}
	}

	private static final class State {

		double tokens;

		long at;

		State(double tokens, long at) {
			this.tokens = tokens;
			this.at = at;
		}

	}

}
