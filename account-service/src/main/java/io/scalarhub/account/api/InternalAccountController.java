package io.scalarhub.account.api;

import java.util.UUID;

import io.scalarhub.account.domain.AccountService;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What other services ask account-service (never routed by the gateway). */
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

	record NotClosedAccounts(UUID customerId, long count) {
	}

}
