package io.scalarhub.subscription.api;

import java.net.URI;
import java.util.UUID;

import io.scalarhub.platform.idempotency.IdempotentExecutor;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import io.scalarhub.subscription.domain.ChargeKeys;
import io.scalarhub.subscription.domain.SubscriptionService;
import io.scalarhub.subscription.domain.SubscriptionStatus;
import jakarta.validation.Valid;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/subscriptions}: the Subscriptions part of the public contract (docs/api.md). The OpenAPI annotations name each operation for client generators and
 * document the outcomes only this controller knows; the platform adds the problems every operation shares
 * (ApiDocsAutoConfiguration).
 */
@Tag(name = "Subscriptions", description = "recurring products charged to an account every period")
@RestController
@RequestMapping(path = "/v1/subscriptions", produces = MediaType.APPLICATION_JSON_VALUE)
class SubscriptionController {

	private final SubscriptionService subscriptions;

	private final IdempotentExecutor idempotent;

	SubscriptionController(SubscriptionService subscriptions, IdempotentExecutor idempotent) {
		this.subscriptions = subscriptions;
		this.idempotent = idempotent;
	}

	/**
	 * 201 ACTIVE with the first period charged. The subscription's id is derived from the client, its
	 * Idempotency-Key and the body, so a retry after any failure works on the same subscription and the
	 * same first charge.
	 */
	@Operation(operationId = "createSubscription", summary = "Subscribe a customer to a product (charges the first period)")
	// the idempotent executor renders the body to replay it, so the declared type is the rendered one
	@ApiResponse(responseCode = "201", description = "Created, ACTIVE, the first period charged",
			headers = { @Header(name = "Location", description = "the new subscription's URL"),
					@Header(name = "ETag", description = "the subscription's version") },
			content = @Content(schema = @Schema(implementation = SubscriptionResponse.class)))
	@ApiResponse(responseCode = "422", description = "`customer-not-found`, `customer-not-active`, "
			+ "`product-not-found`, `product-not-active`, `product-not-recurring`, `account-not-found`, "
			+ "`account-not-owned`, `account-not-open`, `currency-mismatch`, `insufficient-funds`")
	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<String>> create(@RequestHeader(name = IdempotentExecutor.KEY_HEADER, required = false) String key,
			@Valid @RequestBody CreateSubscriptionRequest request) {
		return ReactiveSecurityContextHolder.getContext()
			.map(SecurityContext::getAuthentication)
			.map(Authentication::getName)
			.defaultIfEmpty("")
			.flatMap((client) -> this.idempotent.execute(key, "create-subscription", request,
					() -> this.subscriptions
						.create(ChargeKeys.subscriptionId(client, key, request.customerId(), request.productId(),
								request.accountId()), request.toNewSubscription())
						.map((subscription) -> ResponseEntity.created(URI.create("/v1/subscriptions/" + subscription.id()))
							.eTag(subscription.etag())
							.body(SubscriptionResponse.of(subscription)))));
	}

	@Operation(operationId = "getSubscription", summary = "Get a subscription")
	@ApiResponse(responseCode = "200", description = "OK",
			headers = @Header(name = "ETag", description = "the subscription's version"))
	@GetMapping("/{id}")
	Mono<ResponseEntity<SubscriptionResponse>> get(@PathVariable UUID id) {
		return this.subscriptions.get(id)
			.map((subscription) -> ResponseEntity.ok().eTag(subscription.etag()).body(SubscriptionResponse.of(subscription)));
	}

	@Operation(operationId = "listSubscriptions", summary = "List subscriptions, newest first")
	@GetMapping
	Mono<PageResponse<SubscriptionResponse>> list(@RequestParam(required = false) UUID customerId,
			@RequestParam(required = false) SubscriptionStatus status, PageQuery page) {
		return this.subscriptions.list(customerId, status, page)
			.map((result) -> new PageResponse<>(result.content().stream().map(SubscriptionResponse::of).toList(),
					result.page()));
	}

	@Operation(operationId = "cancelSubscription", summary = "Cancel a subscription, now or at the period's end")
	@ApiResponse(responseCode = "200", description = "OK (canceling a canceled subscription changes nothing)",
			headers = @Header(name = "ETag", description = "the subscription's version"))
	@ApiResponse(responseCode = "409", description = "`subscription-canceled`: a canceled subscription cannot be "
			+ "set to cancel at period end")
	@PostMapping("/{id}/cancel")
	Mono<ResponseEntity<SubscriptionResponse>> cancel(@PathVariable UUID id,
			@RequestBody(required = false) CancelRequest request) {
		boolean atPeriodEnd = (request != null) && request.atEnd();
		return this.subscriptions.cancel(id, atPeriodEnd)
			.map((subscription) -> ResponseEntity.ok().eTag(subscription.etag()).body(SubscriptionResponse.of(subscription)));
	}

}
