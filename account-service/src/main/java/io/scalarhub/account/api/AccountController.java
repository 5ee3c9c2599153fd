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
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
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

/**
 * {@code /v1/accounts}: the Accounts part of the public contract (docs/api.md). The OpenAPI annotations
 * name each operation for client generators and document the outcomes only this controller knows; the
 * platform adds the problems every operation shares (ApiDocsAutoConfiguration).
 */
@Tag(name = "Accounts", description = "accounts of your customers, with their ledger balance")
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

	@Operation(operationId = "createAccount", summary = "Open an account for a customer")
	// the idempotent executor renders the body to replay it, so the declared type is the rendered one
	@ApiResponse(responseCode = "201", description = "Opened",
			headers = @Header(name = "Location", description = "the new account's URL"),
			content = @Content(schema = @Schema(implementation = AccountResponse.class)))
	@ApiResponse(responseCode = "422", description = "`customer-not-found`, `customer-not-active`: an account "
			+ "needs an existing, active customer of your tenant")
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

	@Operation(operationId = "getAccount", summary = "Get an account with its balance")
	@ApiResponse(responseCode = "200", description = "OK; when the ledger cannot be asked, balance is null",
			headers = @Header(name = DEGRADED_HEADER, description = "`balance` when the balance could not be had"))
	@GetMapping("/{id}")
	Mono<ResponseEntity<AccountResponse>> get(@PathVariable UUID id) {
		return this.accounts.get(id).map((account) -> withDegradation(account.degraded()).body(AccountResponse.of(account)));
	}

	@Operation(operationId = "listAccounts", summary = "List accounts, newest first, with their balances")
	@ApiResponse(responseCode = "200", description = "OK",
			headers = @Header(name = DEGRADED_HEADER, description = "`balance` when a balance could not be had"))
	@GetMapping
	Mono<ResponseEntity<PageResponse<AccountResponse>>> list(@RequestParam(required = false) UUID customerId,
			PageQuery page) {
		return this.accounts.list(customerId, page)
			.map((result) -> withDegradation(result.content().stream().anyMatch(AccountWithBalance::degraded))
				.body(new PageResponse<>(result.content().stream().map(AccountResponse::of).toList(), result.page())));
	}

	@Operation(operationId = "freezeAccount", summary = "Freeze an account")
	@ApiResponse(responseCode = "200", description = "OK (asking for the status it has changes nothing)")
	@ApiResponse(responseCode = "409", description = "`account-state-conflict`: a closed account stays closed")
	@PostMapping("/{id}/freeze")
	Mono<AccountResponse> freeze(@PathVariable UUID id) {
		return this.accounts.freeze(id).flatMap(this::current);
	}

	@Operation(operationId = "unfreezeAccount", summary = "Unfreeze an account")
	@ApiResponse(responseCode = "200", description = "OK (asking for the status it has changes nothing)")
	@ApiResponse(responseCode = "409", description = "`account-state-conflict`: a closed account stays closed")
	@PostMapping("/{id}/unfreeze")
	Mono<AccountResponse> unfreeze(@PathVariable UUID id) {
		return this.accounts.unfreeze(id).flatMap(this::current);
	}

	@Operation(operationId = "closeAccount", summary = "Close an account (only at zero balance)")
	@ApiResponse(responseCode = "200", description = "OK (asking for the status it has changes nothing)")
	@ApiResponse(responseCode = "409", description = "`account-state-conflict`: the account still holds money")
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
