package io.scalarhub.account.client;

import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import io.scalarhub.account.domain.AccountStatus;
import io.scalarhub.platform.client.ServiceClient;
import io.scalarhub.platform.client.ServiceClients;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * account-service's side of the ledger's internal API. The ledger is where money moves, so it is told of
 * every account and every status change before account-service acknowledges them, always for the tenant of
 * the request it serves (the platform's service client sends it along): the ledger registers the account in
 * that tenant and shows nothing of another's.
 */
@Component
public class LedgerClient {

	private final ServiceClient ledger;

	public LedgerClient(ServiceClients clients) {
		this.ledger = clients.forService("transaction-service");
	}

	public Mono<LedgerAccountView> register(UUID accountId, String currency) {
		return this.ledger.put(new Registration(currency), LedgerAccountView.class, "/internal/ledger/accounts/{id}", accountId);
	}

	/** Refused (409) by the ledger when closing an account that still holds money. */
	public Mono<LedgerAccountView> changeStatus(UUID accountId, AccountStatus status) {
		return this.ledger.put(new StatusChange(status.name()), LedgerAccountView.class,
				"/internal/ledger/accounts/{id}/status", accountId);
	}

	public Mono<LedgerAccountView> account(UUID accountId) {
		return this.ledger.get(LedgerAccountView.class, "/internal/ledger/accounts/{id}", accountId);
	}

	public Mono<List<LedgerAccountView>> accounts(List<UUID> accountIds) {
		if (accountIds.isEmpty()) {
			return Mono.just(List.of());
		}
		String ids = accountIds.stream().map(UUID::toString).collect(Collectors.joining(","));
		return this.ledger.get(LedgerAccountView[].class, "/internal/ledger/accounts?ids={ids}", ids)
			.map(List::of)
			.defaultIfEmpty(List.of());
	}

	public record LedgerAccountView(UUID id, String currency, String status, long balance, java.time.Instant updatedAt) {
	}

	record Registration(String currency) {
	}

	record StatusChange(String status) {
	}

}
