package io.scalarhub.customer.client;

import java.util.UUID;

import io.scalarhub.platform.client.ServiceClient;
import io.scalarhub.platform.client.ServiceClients;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/** What customer-service asks account-service: does a customer still have accounts that are not closed? */
@Component
public class AccountClient {

	private final ServiceClient accounts;

	public AccountClient(ServiceClients clients) {
		this.accounts = clients.forService("account-service");
	}

	/** Errors with ServiceUnavailableException (503) when account-service cannot be asked: never a guess. */
	public Mono<Long> notClosedAccounts(UUID customerId) {
		return this.accounts.get(NotClosedAccounts.class, "/internal/accounts/not-closed?customerId={id}", customerId)
			.map(NotClosedAccounts::count)
			.defaultIfEmpty(0L);
	}

	record NotClosedAccounts(UUID customerId, long count) {
	}

}
