package io.scalarhub.transaction.api;

import java.util.UUID;

import io.scalarhub.platform.money.Currencies;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.transaction.domain.Ledger;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code PUT /internal/ledger/charges/{chargeId}}: a charge that is posted at most once per id, whoever asks
 * and however often (never routed by the gateway). The id is the charge's idempotency key, derived by the
 * caller from what is paid for; being a PUT, it is safe for the caller's client to retry. 201 when this
 * request posted it, 200 when it was posted before; 422 for the ledger's refusals (insufficient funds,
 * account not open, currency mismatch), 409 when the id was used for other terms, and 409
 * {@code charge-id-in-use} when another tenant used it (nothing of that charge is shown or touched). The
 * charge is the tenant's the caller acts for ({@code X-Scalarhub-Tenant}): an account of another tenant is
 * not found (422).
 */
@RestController
class LedgerChargeController {

	private final Ledger ledger;

	LedgerChargeController(Ledger ledger) {
		this.ledger = ledger;
	}

	@PutMapping(path = "/internal/ledger/charges/{chargeId}", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<TransactionResponse>> charge(@PathVariable UUID chargeId, @Valid @RequestBody Charge charge) {
		if (!Currencies.isIso4217(charge.currency())) {
			return Mono.error(ApiProblem.validation("currency", "is not an ISO 4217 currency"));
		}
		return this.ledger.charge(chargeId, charge.accountId(), charge.amount(), charge.currency(), charge.description())
			.map((charged) -> ResponseEntity.status(charged.posted() ? HttpStatus.CREATED : HttpStatus.OK)
				.body(TransactionResponse.of(charged.transaction())));
	}

	record Charge(@NotNull UUID accountId, @NotNull @Positive @Max(PostTransactionRequest.MAX_AMOUNT) Long amount,
			@NotNull String currency, @Size(max = 500) String description) {
	}

}
