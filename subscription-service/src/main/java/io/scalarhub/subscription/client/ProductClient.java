package io.scalarhub.subscription.client;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.scalarhub.platform.client.ServiceClient;
import io.scalarhub.platform.client.ServiceClients;
import io.scalarhub.platform.money.Money;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * product-service's internal API ({@code GET /internal/products/{id}}, the public product representation
 * of docs/api.md): its price, interval and whether it is active. Fields this service does not need are
 * ignored, so product-service may add some.
 */
@Component
public class ProductClient {

	private final ServiceClient products;

	public ProductClient(ServiceClients clients) {
		this.products = clients.forService("product-service");
	}

	/** Empty when there is no such product. */
	public Mono<ProductView> product(UUID id) {
		return this.products.get(ProductView.class, "/internal/products/{id}", id);
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	public record ProductView(UUID id, Money price, String interval, Boolean active) {

		public boolean isActive() {
			return Boolean.TRUE.equals(this.active);
		}

		public boolean recurring() {
			return "MONTH".equals(this.interval) || "YEAR".equals(this.interval);
		}

	}

}
