package io.scalarhub.subscription.client;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.scalarhub.platform.client.ServiceClient;
import io.scalarhub.platform.client.ServiceClients;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * The ledger's charge ({@code PUT /internal/ledger/charges/{chargeId}}): the ledger posts one charge id at
 * most once and answers the posted charge when asked again, so this call is safe to retry (ServiceClient
 * retries it as the PUT it is) and safe to repeat from a retried request or a resumed billing run.
 * Refusals (insufficient funds, account not open, currency mismatch) come back as
 * {@link io.scalarhub.platform.client.DownstreamRejectedException}; an unreachable ledger as
 * {@link io.scalarhub.platform.client.ServiceUnavailableException}.
 */
@Component
public class LedgerClient {

	private final ServiceClient ledger;

	public LedgerClient(ServiceClients clients) {
		this.ledger = clients.forService("transaction-service");
	}

	public Mono<ChargeView> charge(UUID chargeId, UUID accountId, long amount, String currency, String description) {
		return this.ledger.put(new Charge(accountId, amount, currency, description), ChargeView.class,
				"/internal/ledger/charges/{id}", chargeId);
	}

	record Charge(UUID accountId, long amount, String currency, String description) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	public record ChargeView(UUID id, long amount, String currency) {
	}

}
