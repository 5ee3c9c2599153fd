package io.scalarhub.customer.api;

import java.net.URI;
import java.util.UUID;

import io.scalarhub.customer.domain.Customer;
import io.scalarhub.customer.domain.CustomerService;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/customers}: the Customers part of the public contract (docs/api.md). The OpenAPI annotations
 * name each operation for client generators and document the outcomes only this controller knows; the
 * platform adds the problems every operation shares (ApiDocsAutoConfiguration).
 */
@Tag(name = "Customers", description = "the customers of your organisation")
@RestController
@RequestMapping(path = "/v1/customers", produces = MediaType.APPLICATION_JSON_VALUE)
class CustomerController {

	static final String MERGE_PATCH_JSON = "application/merge-patch+json";

	private final CustomerService customers;

	CustomerController(CustomerService customers) {
		this.customers = customers;
	}

	@Operation(operationId = "createCustomer", summary = "Create a customer")
	@ApiResponse(responseCode = "201", description = "Created",
			headers = { @Header(name = "Location", description = "the new customer's URL"),
					@Header(name = "ETag", description = "the customer's version, for If-Match") })
	@ApiResponse(responseCode = "409", description = "`email-taken`: a customer of your tenant has this email")
	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<CustomerResponse>> create(@Valid @RequestBody CreateCustomerRequest request) {
		return this.customers.create(request.toNewCustomer())
			.map((customer) -> ResponseEntity.created(URI.create("/v1/customers/" + customer.id()))
				.eTag(customer.etag())
				.body(CustomerResponse.of(customer)));
	}

	@Operation(operationId = "getCustomer", summary = "Get a customer")
	@ApiResponse(responseCode = "200", description = "OK",
			headers = @Header(name = "ETag", description = "the customer's version, for If-Match"))
	@GetMapping("/{id}")
	Mono<ResponseEntity<CustomerResponse>> get(@PathVariable UUID id) {
		return this.customers.get(id).map(CustomerController::withETag);
	}

	@Operation(operationId = "listCustomers", summary = "List customers, newest first")
	@GetMapping
	Mono<PageResponse<CustomerResponse>> list(@RequestParam(required = false) String email, PageQuery page) {
		return this.customers.list(email, page)
			.map((result) -> new PageResponse<>(result.content().stream().map(CustomerResponse::of).toList(),
					result.page()));
	}

	@Operation(operationId = "updateCustomer", summary = "Change a customer (JSON merge patch)")
	@ApiResponse(responseCode = "200", description = "OK",
			headers = @Header(name = "ETag", description = "the customer's new version"))
	@ApiResponse(responseCode = "409", description = "`customer-closed`: a closed customer cannot be changed")
	@PatchMapping(path = "/{id}", consumes = { MERGE_PATCH_JSON, MediaType.APPLICATION_JSON_VALUE })
	Mono<ResponseEntity<CustomerResponse>> patch(@PathVariable UUID id,
			@RequestHeader(name = "If-Match", required = false) String ifMatch, @RequestBody JsonNode patch) {
		return Mono.fromCallable(() -> CustomerMergePatch.parse(patch))
			.flatMap((changes) -> this.customers.update(id, ifMatch, changes))
			.map(CustomerController::withETag);
	}

	@Operation(operationId = "closeCustomer", summary = "Close a customer (it is kept, CLOSED)")
	@ApiResponse(responseCode = "204", description = "Closed (closing a closed customer is fine too)")
	@ApiResponse(responseCode = "409", description = "`customer-has-open-accounts`: close its accounts first; "
			+ "`customer-has-active-subscriptions`: cancel its subscriptions first")
	@DeleteMapping("/{id}")
	Mono<ResponseEntity<Void>> close(@PathVariable UUID id) {
		return this.customers.close(id).thenReturn(ResponseEntity.status(HttpStatus.NO_CONTENT).build());
	}

	private static ResponseEntity<CustomerResponse> withETag(Customer customer) {
		return ResponseEntity.ok().eTag(customer.etag()).body(CustomerResponse.of(customer));
	}

}
