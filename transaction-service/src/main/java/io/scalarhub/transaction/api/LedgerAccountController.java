package io.scalarhub.transaction.api;

import java.util.List;
import java.util.UUID;

import io.scalarhub.platform.money.Currencies;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.transaction.domain.AccountStatus;
import io.scalarhub.transaction.domain.Ledger;
import io.scalarhub.transaction.domain.LedgerAccount;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The ledger's internal API for account-service (never routed by the gateway): open an account in the
 * ledger, change its status, read its state and balance. Both writes are idempotent PUTs, so
 * account-service may retry them. Each request acts for one tenant (the one account-service serves, named in
 * {@code X-Scalarhub-Tenant}): a registered account is that tenant's, and another tenant's is not found.
 */
@RestController
@RequestMapping(path = "/internal/ledger/accounts", produces = MediaType.APPLICATION_JSON_VALUE)
class LedgerAccountController {

	/** How many accounts one balances query may name: a page of accounts at most. */
	static final int MAX_IDS = 100;

	private final Ledger ledger;

	LedgerAccountController(Ledger ledger) {
		this.ledger = ledger;
	}

	@PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<LedgerAccount> register(@PathVariable UUID id, @Valid @RequestBody Registration registration) {
		if (!Currencies.isIso4217(registration.currency())) {
			return Mono.error(ApiProblem.validation("currency", "is not an ISO 4217 currency"));
		}
		return this.ledger.register(id, registration.currency());
	}

	@PutMapping(path = "/{id}/status", consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<LedgerAccount> changeStatus(@PathVariable UUID id, @Valid @RequestBody StatusChange change) {
		return this.ledger.changeStatus(id, change.status());
	}

	@GetMapping("/{id}")
	Mono<LedgerAccount> get(@PathVariable UUID id) {
		return this.ledger.account(id);
	}

	/**
	 * The accounts among {@code ids} that the ledger knows in the caller's tenant (a page of account-service's
	 * list at once); the others are left out.
	 */
	@GetMapping
	Mono<List<LedgerAccount>> find(@RequestParam List<UUID> ids) {
		if (ids.size() > MAX_IDS) {
			return Mono.error(ApiProblem.validation("ids", "must name at most " + MAX_IDS + " accounts"));
		}
		return this.ledger.accounts(ids).collectList();
	}

	record Registration(@NotNull String currency) {
	}

	record StatusChange(@NotNull AccountStatus status) {
	}

}
