package io.scalarhub.subscription.client;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.scalarhub.platform.client.ServiceClient;
import io.scalarhub.platform.client.ServiceClients;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/** account-service's internal API: whose is the account, in which currency, is it open? */
@Component
public class AccountClient {

	private final ServiceClient accounts;

	public AccountClient(ServiceClients clients) {
		this.accounts = clients.forService("account-service");
	}

	/** Empty when there is no such account. */
	public Mono<AccountView> account(UUID id) {
		return this.accounts.get(AccountView.class, "/internal/accounts/{id}", id);
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	public record AccountView(UUID id, UUID customerId, String currency, String status) {
	}

}
