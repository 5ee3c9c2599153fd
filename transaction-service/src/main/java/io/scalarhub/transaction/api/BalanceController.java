package io.scalarhub.transaction.api;

import java.util.UUID;

import io.scalarhub.transaction.domain.Ledger;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/accounts/{id}/balance}, which the gateway routes here rather than to account-service; 404 for
 * an account of another tenant, as for one that does not exist. Tagged with the Accounts it reads, so that a
 * generated client finds it next to them.
 */
@Tag(name = "Accounts", description = "accounts of your customers, with their ledger balance")
@RestController
class BalanceController {

	private final Ledger ledger;

	BalanceController(Ledger ledger) {
		this.ledger = ledger;
	}

	@Operation(operationId = "getAccountBalance", summary = "Get an account's balance")
	@GetMapping(path = "/v1/accounts/{id}/balance", produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<BalanceResponse> balance(@PathVariable UUID id) {
		return this.ledger.account(id).map(BalanceResponse::of);
	}

}
