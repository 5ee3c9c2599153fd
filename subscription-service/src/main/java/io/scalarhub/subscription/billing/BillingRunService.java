package io.scalarhub.subscription.billing;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;
import io.scalarhub.subscription.persistence.BillingRunRepository;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Billing runs as the API sees them: a run is stored PENDING at once, and workers do the rest. A run belongs
 * to the tenant of the client that started it: only that tenant sees it, and it renews only that tenant's
 * subscriptions.
 */
@Service
public class BillingRunService {

	static final String TEST_CLOCK_DISABLED = ProblemTypes.BASE + "test-clock-disabled";

	static final Instant EARLIEST_AS_OF = Instant.parse("1970-01-01T00:00:00Z");

	static final Instant LATEST_AS_OF = Instant.parse("9999-12-31T23:59:59Z");

	private final BillingRunRepository runs;

	private final BillingProperties properties;

	private final Clock clock = Clock.systemUTC();

	public BillingRunService(BillingRunRepository runs, BillingProperties properties) {
		this.runs = runs;
		this.properties = properties;
	}

	/**
	 * Stores the run (PENDING) in the caller's tenant; runs in the caller's transaction, the one that records
	 * the Idempotency-Key. An as-of in the future needs test clocks ({@link BillingProperties#testClocksEnabled}).
	 */
	public Mono<BillingRun> create(Instant asOf) {
		Instant now = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
		// beyond the database's range an instant is stored as -infinity or infinity, a run no worker can finish
		if (asOf != null && (asOf.isBefore(EARLIEST_AS_OF) || asOf.isAfter(LATEST_AS_OF))) {
			return Mono.error(ApiProblem.validation("asOf", "must be from " + EARLIEST_AS_OF + " to " + LATEST_AS_OF));
		}
		if (asOf != null && !this.properties.testClocksEnabled() && asOf.isAfter(now.plus(BillingProperties.CLOCK_SKEW))) {
			return Mono.error(new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, TEST_CLOCK_DISABLED, "Test clock disabled",
					"asOf " + asOf + " is in the future; a billing run renews periods that have ended, as of now or "
							+ "earlier. Runs ahead of time (test clocks) are enabled in test environments only."));
		}
		return this.runs.insert(UUID.randomUUID(), (asOf != null) ? asOf.truncatedTo(ChronoUnit.MICROS) : now, now);
	}

	@Transactional(readOnly = true)
	public Mono<Tuple2<BillingRun, RunCounts>> get(UUID id) {
		return this.runs.findById(id)
			.switchIfEmpty(Mono.error(() -> ApiProblem.notFound("billing run", id)))
			.zipWhen((run) -> this.runs.counts(id));
	}

}
