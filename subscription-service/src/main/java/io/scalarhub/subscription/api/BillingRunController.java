package io.scalarhub.subscription.api;

import java.net.URI;
import java.util.UUID;

import io.scalarhub.platform.idempotency.IdempotentExecutor;
import io.scalarhub.subscription.billing.BillingRunService;
import io.scalarhub.subscription.billing.RunCounts;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/billing-runs}: a run is accepted at once (202, stored PENDING) and worked in the background by
 * the billing workers of any instance; its progress is read here. A run is its tenant's: it renews that
 * tenant's subscriptions only, and another tenant's clients cannot see it (404). The OpenAPI annotations name each operation for client generators and
 * document the outcomes only this controller knows; the platform adds the problems every operation shares
 * (ApiDocsAutoConfiguration).
 */
@Tag(name = "Billing", description = "billing runs: the renewals of subscriptions whose period ended")
@RestController
@RequestMapping(path = "/v1/billing-runs", produces = MediaType.APPLICATION_JSON_VALUE)
class BillingRunController {

	private final BillingRunService runs;

	private final IdempotentExecutor idempotent;

	BillingRunController(BillingRunService runs, IdempotentExecutor idempotent) {
		this.runs = runs;
		this.idempotent = idempotent;
	}

	@Operation(operationId = "startBillingRun", summary = "Start a billing run (it runs in the background)")
	// the idempotent executor renders the body to replay it, so the declared type is the rendered one
	@ApiResponse(responseCode = "202", description = "Accepted, PENDING; follow Location for its progress",
			headers = @Header(name = "Location", description = "the run's URL"),
			content = @Content(schema = @Schema(implementation = BillingRunResponse.class)))
	@ApiResponse(responseCode = "422", description = "`test-clock-disabled`: asOf is in the future and test clocks "
			+ "are off")
	@PostMapping
	Mono<ResponseEntity<String>> start(@RequestHeader(name = IdempotentExecutor.KEY_HEADER, required = false) String key,
			@RequestBody(required = false) BillingRunRequest request) {
		BillingRunRequest body = (request != null) ? request : new BillingRunRequest(null);
		return this.idempotent.execute(key, "start-billing-run", body,
				() -> this.runs.create(body.asOf())
					.map((run) -> ResponseEntity.status(HttpStatus.ACCEPTED)
						.location(URI.create("/v1/billing-runs/" + run.id()))
						.body(BillingRunResponse.of(run, new RunCounts(0, 0, 0, 0, 0, 0)))));
	}

	@Operation(operationId = "getBillingRun", summary = "Get a billing run and its progress")
	@GetMapping("/{id}")
	Mono<BillingRunResponse> get(@PathVariable UUID id) {
		return this.runs.get(id).map((runAndCounts) -> BillingRunResponse.of(runAndCounts.getT1(), runAndCounts.getT2()));
	}

}
