package io.scalarhub.account.api;

import java.net.URI;
import java.util.UUID;

import io.scalarhub.account.domain.Account;
import io.scalarhub.account.domain.AccountService;
import io.scalarhub.account.domain.AccountWithBalance;
import io.scalarhub.platform.idempotency.IdempotentExecutor;
import io.scalarhub.platform.money.Currencies;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import io.scalarhub.platform.problem.ApiProblem;
import jakarta.validation.Valid;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/accounts}: the Accounts part of the public contract (docs/api.md). */
@RestController
@RequestMapping(path = "/v1/accounts", produces = MediaType.APPLICATION_JSON_VALUE)
class AccountController {

	/** Set when a part of the answer (the balance) could not be had: the rest is still right. */
	static final String DEGRADED_HEADER = "X-Degraded";

	private final AccountService accounts;

	private final IdempotentExecutor idempotent;

	AccountController(AccountService accounts, IdempotentExecutor idempotent) {
		this.accounts = accounts;
		this.idempotent = idempotent;
	}

	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<String>> open(@RequestHeader(name = IdempotentExecutor.KEY_HEADER, required = false) String key,
			@Valid @RequestBody CreateAccountRequest request) {
		if (!Currencies.isIso4217(request.currency())) {
			return Mono.error(ApiProblem.validation("currency", "is not an ISO 4217 currency"));
		}
		return this.idempotent.execute(key, "open-account", request,
				() -> this.accounts.open(request.toNewAccount())
					.map((account) -> ResponseEntity.created(URI.create("/v1/accounts/" + account.id()))
						.body(AccountResponse.opened(account))));
	}

	@GetMapping("/{id}")
	Mono<ResponseEntity<AccountResponse>> get(@PathVariable UUID id) {
		return this.accounts.get(id).map((account) -> withDegradation(account.degraded()).body(AccountResponse.of(account)));
	}

	@GetMapping
	Mono<ResponseEntity<PageResponse<AccountResponse>>> list(@RequestParam(required = false) UUID customerId,
			PageQuery page) {
		return this.accounts.list(customerId, page)
			.map((result) -> withDegradation(result.content().stream().anyMatch(AccountWithBalance::degraded))
				.body(new PageResponse<>(result.content().stream().map(AccountResponse::of).toList(), result.page())));
	}

	@PostMapping("/{id}/freeze")
	Mono<AccountResponse> freeze(@PathVariable UUID id) {
		return this.accounts.freeze(id).flatMap(this::current);
	}

	@PostMapping("/{id}/unfreeze")
	Mono<AccountResponse> unfreeze(@PathVariable UUID id) {
		return this.accounts.unfreeze(id).flatMap(this::current);
	}

	@PostMapping("/{id}/close")
	Mono<AccountResponse> close(@PathVariable UUID id) {
		return this.accounts.close(id).flatMap(this::current);
	}

	/**
	 * The account as the status change left it (not read again: a read here could reach a replica that has
	 * not replayed the change yet), with its balance.
	 */
	private Mono<AccountResponse> current(Account account) {
		return this.accounts.withBalance(account).map(AccountResponse::of);
	}

	private static ResponseEntity.BodyBuilder withDegradation(boolean degraded) {
		ResponseEntity.BodyBuilder builder = ResponseEntity.ok();
		return degraded ? builder.header(DEGRADED_HEADER, "balance") : builder;
	}

}
