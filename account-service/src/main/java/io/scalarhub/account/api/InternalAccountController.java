package io.scalarhub.account.api;

import java.util.UUID;

import io.scalarhub.account.domain.AccountService;
import io.scalarhub.account.domain.AccountStatus;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What other services ask account-service (never routed by the gateway), each for the tenant it names: they
 * see that tenant's accounts only, like an API client of the tenant would.
 */
@RestController
class InternalAccountController {

	private final AccountService accounts;

	InternalAccountController(AccountService accounts) {
		this.accounts = accounts;
	}

	/** customer-service asks this before closing a customer. */
	@GetMapping(path = "/internal/accounts/not-closed", produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<NotClosedAccounts> notClosed(@RequestParam UUID customerId) {
		return this.accounts.notClosed(customerId).map((count) -> new NotClosedAccounts(customerId, count));
	}

	/**
	 * subscription-service asks this before subscribing an account: whose is it, in which currency, is it
	 * open? 404 when there is no such account.
	 */
	@GetMapping(path = "/internal/accounts/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<AccountView> account(@PathVariable UUID id) {
		return this.accounts.getForCheck(id)
			.map((account) -> new AccountView(account.id(), account.customerId(), account.currency(), account.status()));
	}

	record AccountView(UUID id, UUID customerId, String currency, AccountStatus status) {
	}

	record NotClosedAccounts(UUID customerId, long count) {
	}

}
