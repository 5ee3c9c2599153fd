package io.scalarhub.transaction.api;

import java.net.URI;
import java.util.UUID;

import io.scalarhub.platform.idempotency.IdempotentExecutor;
import io.scalarhub.platform.money.Currencies;
import io.scalarhub.platform.paging.PageQuery;
import io.scalarhub.platform.paging.PageResponse;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.transaction.domain.Ledger;
import io.scalarhub.transaction.domain.LedgerTransaction;
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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/transactions}: the ledger part of the public contract (docs/api.md). A client sees and moves only
 * its tenant's accounts and transactions; another tenant's are not found (404 to read, 422 as an operand).
 * The OpenAPI annotations name each operation for client generators and document the outcomes only this
 * controller knows; the platform adds the problems every operation shares (ApiDocsAutoConfiguration).
 */
@Tag(name = "Transactions", description = "money moved into, out of and between accounts (the ledger)")
@RestController
@RequestMapping(path = "/v1/transactions", produces = MediaType.APPLICATION_JSON_VALUE)
class TransactionController {

	private final Ledger ledger;

	private final IdempotentExecutor idempotent;

	TransactionController(Ledger ledger, IdempotentExecutor idempotent) {
		this.ledger = ledger;
		this.idempotent = idempotent;
	}

	@Operation(operationId = "createTransaction", summary = "Post a deposit, withdrawal or transfer")
	// the idempotent executor renders the body to replay it, so the declared type is the rendered one
	@ApiResponse(responseCode = "201", description = "Posted",
			headers = @Header(name = "Location", description = "the new transaction's URL"),
			content = @Content(schema = @Schema(implementation = TransactionResponse.class)))
	@ApiResponse(responseCode = "400", description = "a DEPOSIT names only a destination account, a WITHDRAWAL "
			+ "only a source, a TRANSFER two different ones")
	@ApiResponse(responseCode = "422", description = "`insufficient-funds`, `currency-mismatch`, `account-not-open`, "
			+ "`account-not-found`: money moves only between existing, open accounts of your tenant that hold enough")
	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Mono<ResponseEntity<String>> post(@RequestHeader(name = IdempotentExecutor.KEY_HEADER, required = false) String key,
			@Valid @RequestBody PostTransactionRequest request) {
		if (!Currencies.isIso4217(request.currency())) {
			return Mono.error(ApiProblem.validation("currency", "is not an ISO 4217 currency"));
		}
		// the response is known before the posting (its id and time chosen here): the key's claim writes its record,
		// and the posting runs in the same call to the database; a refusal rolls both back
		return Mono.defer(() -> {
			LedgerTransaction transaction = this.ledger.prepare(request.toNewTransaction());
			return this.idempotent.execute(key, "post-transaction", request,
					ResponseEntity.created(URI.create("/v1/transactions/" + transaction.id()))
						.body(TransactionResponse.of(transaction)),
					this.ledger.postClaimingKey(transaction));
		});
	}

	@Operation(operationId = "getTransaction", summary = "Get a transaction")
	@GetMapping("/{id}")
	Mono<TransactionResponse> get(@PathVariable UUID id) {
		return this.ledger.get(id).map(TransactionResponse::of);
	}

	@Operation(operationId = "listTransactions", summary = "List transactions, newest first")
	@GetMapping
	Mono<PageResponse<TransactionResponse>> list(@RequestParam(required = false) UUID accountId, PageQuery page) {
		return this.ledger.list(accountId, page)
			.map((result) -> new PageResponse<>(result.content().stream().map(TransactionResponse::of).toList(),
					result.page()));
	}

}
