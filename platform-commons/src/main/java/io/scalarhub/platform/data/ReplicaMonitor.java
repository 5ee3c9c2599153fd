package io.scalarhub.platform.data;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Watches the read replica: whether it answers (a resilience4j circuit breaker, opened by a failed probe or
 * a failed connection, probed again after {@code retryAfter}), how far it has replayed, and how far behind
 * the primary it is. The router asks {@link #usable()} for every read-only transaction; under reads that is
 * answered from memory, the measuring happening every {@code checkInterval}, off the request path.
 * <p>
 * An idle app measures only every {@code idleCheckInterval}: two queries four times a second, in every service,
 * were most of what an idle suite spent. The replica is trusted only on a fresh measurement, so the first read
 * after a quiet spell waits for one (shared by the reads that come meanwhile): sending it to the primary
 * instead would fail it whenever the primary is the server that is down.
 */
public class ReplicaMonitor implements SmartLifecycle {

	/** The circuit breaker's name, as it appears in the resilience4j metrics. */
	public static final String CIRCUIT_BREAKER = "read-replica";

	private static final Logger log = LoggerFactory.getLogger(ReplicaMonitor.class);

	private final DatabaseClient primary;

	private final DatabaseClient replica;

	private final ReadReplicaProperties properties;

	private final CircuitBreaker circuitBreaker;

	private volatile Lsn replayed;

	/** Replay lag in seconds; NaN while unknown (primary unreachable, or not measured yet). */
	private volatile double lagSeconds = Double.NaN;

	private volatile long lagBytes;

	private volatile boolean lagging;

	/** The primary's position when this app started, i.e. after its migrations ran. */
	private volatile Lsn startedAt;

	/** Until the replica has replayed {@link #startedAt}, it may lack this app's latest schema. */
	private volatile boolean caughtUpSinceStart;

	private volatile Disposable probing;

	/** When a read last asked for the replica ({@link System#nanoTime()}): reads keep the measuring fast. */
	private volatile long lastAsked = System.nanoTime();

	/** When the last probe began, and when a probe last measured the replica successfully. */
	private volatile long lastProbeStarted;

	private volatile long lastMeasured;

	private final AtomicLong probes = new AtomicLong();

	/** The probe that reads wait for after a quiet spell, while it runs. */
	private final AtomicReference<Mono<Void>> measuring = new AtomicReference<>();

	/** How old a measurement may be for reads to go by it: two missed ticks and a slow probe. */
	private final long freshForNanos;

	public ReplicaMonitor(ConnectionFactory primary, ConnectionFactory replica, ReadReplicaProperties properties,
			CircuitBreakerRegistry circuitBreakers) {
		this.primary = DatabaseClient.create(primary);
		this.replica = DatabaseClient.create(replica);
		this.properties = properties;
		this.freshForNanos = properties.checkInterval().multipliedBy(2).plus(properties.connectTimeout()).toNanos();
		this.lastProbeStarted = System.nanoTime() - properties.idleCheckInterval().toNanos();
		this.lastMeasured = this.lastProbeStarted;
		// the last call decides: one failed probe or connection opens it, one good probe closes it again
		this.circuitBreaker = circuitBreakers.circuitBreaker(CIRCUIT_BREAKER,
				CircuitBreakerConfig.custom()
					.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
					.slidingWindowSize(1)
					.minimumNumberOfCalls(1)
					.failureRateThreshold(100)
					.permittedNumberOfCallsInHalfOpenState(1)
					.waitDurationInOpenState(properties.retryAfter())
					.automaticTransitionFromOpenToHalfOpenEnabled(true)
					.build());
		// one line when the replica is lost and one when it is back, not one per half-open probe in between
		this.circuitBreaker.getEventPublisher().onStateTransition((event) -> {
			CircuitBreaker.StateTransition transition = event.getStateTransition();
			if (transition == CircuitBreaker.StateTransition.CLOSED_TO_OPEN) {
				log.warn("read replica unreachable: reads go to the primary until it answers again");
			}
			else if (transition.getToState() == CircuitBreaker.State.CLOSED) {
				log.warn("read replica answers again: reads go to the replica");
			}
		});
	}

	/**
	 * Whether a read-only transaction may go to the replica: it answers and is not too far behind. Answered from
	 * memory while the last measurement is fresh, else after measuring once more.
	 */
	public Mono<Boolean> usable() {
		long now = System.nanoTime();
		this.lastAsked = now;
		if (fresh(now)) {
			return Mono.just(trusted());
		}
		return measureNow().then(Mono.fromSupplier(() -> fresh(System.nanoTime()) && trusted()));
	}

	private boolean fresh(long now) {
		return now - this.lastMeasured <= this.freshForNanos;
	}

	private boolean trusted() {
		return this.caughtUpSinceStart && this.circuitBreaker.getState() == CircuitBreaker.State.CLOSED
				&& !this.lagging;
	}

	/** One probe now, shared by every read that asks while it runs. */
	private Mono<Void> measureNow() {
		Mono<Void> running = this.measuring.get();
		if (running != null) {
			return running;
		}
		Mono<Void> probe = Mono.defer(this::probe).doFinally((signal) -> this.measuring.set(null)).cache();
		return this.measuring.compareAndSet(null, probe) ? probe : measureNow();
	}

	/** Whether the replica has replayed {@code position}: from memory when it is known to, else asked once. */
	public Mono<Boolean> hasReplayed(Lsn position) {
		if (position.reachedBy(this.replayed)) {
			return Mono.just(true);
		}
		return ownConnection(this.replica.sql("SELECT pg_last_wal_replay_lsn()::text")
			.map((row) -> Lsn.parse(row.get(0, String.class)))
			.one())
			.timeout(this.properties.connectTimeout())
			.doOnNext(this::replayedUpTo)
			.map(position::reachedBy)
			.onErrorReturn(false)
			.defaultIfEmpty(false);
	}

	/** The primary's current WAL position: any write committed before this call is at or before it. */
	public Mono<Lsn> primaryPosition() {
		return ownConnection(
				this.primary.sql("SELECT pg_current_wal_lsn()::text").map((row) -> Lsn.parse(row.get(0, String.class))).one());
	}

	/**
	 * The monitor's queries run on a connection of their own, returned to its pool as soon as they end. Asked
	 * from within a request's transaction, they would otherwise see its synchronization in the Reactor context,
	 * and Spring would bind their connection to that transaction until it completes: under synchronous
	 * replication that drained the replica's pool and opened its circuit.
	 */
	private static <T> Mono<T> ownConnection(Mono<T> query) {
		return query.contextWrite((callers) -> Context.empty());
	}

	/** A connection to the replica failed: stop sending reads there until a probe succeeds. */
	public void connectionFailed(Throwable error) {
		this.circuitBreaker.onError(0, TimeUnit.NANOSECONDS, error);
	}

	public CircuitBreaker circuitBreaker() {
		return this.circuitBreaker;
	}

	public double lagSeconds() {
		return this.lagSeconds;
	}

	public long lagBytes() {
		return this.lagBytes;
	}

	/**
	 * Whether this tick measures: when a read asked for the replica since about the last probe (so under traffic
	 * every tick), else once per idle interval.
	 */
	boolean probeDue(long now) {
		return this.lastAsked - this.lastProbeStarted > -this.properties.checkInterval().toNanos()
				|| now - this.lastProbeStarted >= this.properties.idleCheckInterval().toNanos();
	}

	/** Probes begun since start: the measuring rate, busy or idle. */
	public long probes() {
		return this.probes.get();
	}

	Mono<Void> probe() {
		if (!this.circuitBreaker.tryAcquirePermission()) {
			return Mono.empty();
		}
		long started = System.nanoTime();
		this.lastProbeStarted = started;
		this.probes.incrementAndGet();
		Mono<ReplicaState> replicaState = ownConnection(this.replica
			.sql("SELECT pg_last_wal_replay_lsn()::text, "
					+ "coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8")
			.map(ReplicaMonitor::replicaState)
			.one())
			.timeout(this.properties.connectTimeout());
		// the primary being down leaves the lag unknown: the replica is then the best there is
		Mono<Lsn> primaryPosition = primaryPosition().timeout(this.properties.connectTimeout())
			.onErrorResume((error) -> Mono.empty());
		return replicaState.flatMap((state) -> primaryPosition.map((position) -> {
			if (this.startedAt == null) {
				this.startedAt = position;
			}
			return state.comparedTo(position);
		}).defaultIfEmpty(state)).doOnNext((state) -> {
				if (this.startedAt != null && this.startedAt.reachedBy(state.replayed())) {
					this.caughtUpSinceStart = true;
				}
				this.circuitBreaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
				replayedUpTo(state.replayed());
				record(state);
				this.lastMeasured = System.nanoTime();
			}).onErrorResume((error) -> {
				this.circuitBreaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, error);
				this.lagSeconds = Double.NaN;
				log.debug("read replica probe failed", error);
				return Mono.empty();
			}).then();
	}

	private void record(ReplicaState state) {
		this.lagSeconds = state.lagSeconds();
		this.lagBytes = state.lagBytes();
		boolean nowLagging = !Double.isNaN(state.lagSeconds())
				&& state.lagSeconds() > this.properties.maxLag().toNanos() / 1e9;
		if (nowLagging != this.lagging) {
			log.warn(nowLagging ? "read replica is {}s behind (more than {}): reads go to the primary"
					: "read replica caught up ({}s behind, bound {}): reads go to the replica",
					state.lagSeconds(), this.properties.maxLag());
		}
		this.lagging = nowLagging;
	}

	private synchronized void replayedUpTo(Lsn position) {
		if (position != null && (this.replayed == null || position.compareTo(this.replayed) > 0)) {
			this.replayed = position;
		}
	}

	private static ReplicaState replicaState(Readable row) {
		Lsn replayed = Lsn.parse(row.get(0, String.class));
		if (replayed == null) {
			throw new IllegalStateException("the read replica is not a standby (no replay position)");
		}
		return new ReplicaState(replayed, row.get(1, Double.class), Double.NaN, 0);
	}

	@Override
	public void start() {
		Duration interval = this.properties.checkInterval();
		// a tick costs nothing; a probe is two queries, run only when due
		this.probing = Flux.interval(Duration.ZERO, interval)
			.onBackpressureDrop()
			.filter((tick) -> probeDue(System.nanoTime()))
			.concatMap((tick) -> probe(), 1)
			.subscribe();
	}

	@Override
	public void stop() {
		Disposable current = this.probing;
		if (current != null) {
			current.dispose();
		}
	}

	@Override
	public boolean isRunning() {
		Disposable current = this.probing;
		return current != null && !current.isDisposed();
	}

	/**
	 * One measurement. {@code sinceLastReplay} is the replica's time since the last transaction it replayed;
	 * it is the lag only while the replica is behind, since an idle, caught-up replica replays nothing.
	 */
	record ReplicaState(Lsn replayed, double sinceLastReplay, double lagSeconds, long lagBytes) {

		ReplicaState comparedTo(Lsn primaryPosition) {
			long behind = primaryPosition.value() - this.replayed.value();
			return (behind <= 0) ? new ReplicaState(this.replayed, this.sinceLastReplay, 0, 0)
					: new ReplicaState(this.replayed, this.sinceLastReplay, this.sinceLastReplay, behind);
		}

	}

}
