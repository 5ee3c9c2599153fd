package io.scalarhub.platform.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemTypes;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.util.Assert;

/**
 * The {@code Idempotency-Key} contract for a POST: the first request with a key runs; the same key with the
 * same request within the retention replays the first response ({@code Idempotent-Replayed: true}) and runs
 * nothing; the same key with another request is a 422; a key whose first request is still running is a
 * 409. Keys belong to the API client that sent them.
 * <p>
 * The record is written in the same database transaction as the effect (the action joins it), so a crash
 * leaves both or neither: a request whose response was lost after commit replays on retry; one that died
 * before commit runs again. Only successful (2xx) responses are recorded: a refused request changed nothing
 * and may be retried with the same key once the reason is gone (funds deposited, say).
 * <p>
 * Records belong to the request's tenant (row-level security, like every business row): the same key sent by
 * clients of two tenants is two requests.
 */
public class IdempotentExecutor {

	public static final String KEY_HEADER = "Idempotency-Key";

	public static final String REPLAYED_HEADER = "Idempotent-Replayed";

	static final String KEY_IN_USE = ProblemTypes.BASE + "idempotency-key-in-use";

	static final String KEY_REUSED = ProblemTypes.BASE + "idempotency-key-reused";

	private static final Pattern SANE_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

	/** Response headers worth replaying; the rest (ids, trace, rate limits) belong to each response. */
	private static final List<String> REPLAYED_HEADERS = List.of(HttpHeaders.LOCATION, HttpHeaders.ETAG);

	private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
	};

	private final DatabaseClient db;

	private final TransactionalOperator transactional;

	private final JsonMapper json;

	private final IdempotencyProperties properties;

	public IdempotentExecutor(DatabaseClient db, TransactionalOperator transactional, JsonMapper json,
			IdempotencyProperties properties) {
		this.db = db;
		this.transactional = transactional;
		this.json = json;
		this.properties = properties;
	}

	/**
	 * Runs {@code action} at most once for this client and key.
	 * @param key the request's {@code Idempotency-Key} header (400 when missing or malformed)
	 * @param operation names the endpoint, so that a key reused on another endpoint is a mismatch
	 * @param request the parsed request body: what "the same request" compares
	 * @param action the effect and its response, run in the transaction that records the key
	 */
	public Mono<ResponseEntity<String>> execute(String key, String operation, Object request,
			Supplier<? extends Mono<? extends ResponseEntity<?>>> action) {
		return keyed(key, operation, request, (client, requestHash) -> claim(client, key)
			.flatMap((stored) -> replay(stored, requestHash))
			.switchIfEmpty(Mono.defer(() -> runAndRecord(client, key, requestHash, action))));
	}

	/**
	 * Runs an effect at most once for this client and key, in the statement that claims the key: one round trip
	 * for both. The request's success {@code response} must be known before the effect runs (its ids and times
	 * chosen up front), so that the claim can write the key's record with it. An effect that fails (a refusal
	 * included) rolls the record back with it, so, as with {@link #execute(String, String, Object, Supplier)}, only
	 * a response that was given is replayed.
	 * @param response the 2xx response the request gets when the effect succeeds
	 * @param effect the statement that claims the key and runs the effect, and how to read its outcome
	 */
	public Mono<ResponseEntity<String>> execute(String key, String operation, Object request, ResponseEntity<?> response,
			ClaimingEffect effect) {
		Assert.isTrue(response.getStatusCode().is2xxSuccessful(), "only a success is recorded");
		return keyed(key, operation, request, (client, requestHash) -> {
			Rendered rendered = render(response);
			return bindClaim(effect.statement(), client, key, requestHash, rendered)
				.map((row) -> {
					Optional<StoredResponse> stored = readClaim(row);
					return stored.isPresent() ? replay(stored.get(), requestHash)
							: effect.outcome(row).then(Mono.fromSupplier(rendered::entity));
				})
				.one()
				.flatMap((result) -> result);
		});
	}

	/**
	 * An effect run by the statement that claims its key ({@link #execute(String, String, Object, ResponseEntity,
	 * ClaimingEffect)}). The statement calls {@code idempotency_claim} (R__idempotency_key.sql) with
	 * {@link #CLAIM_ARGUMENTS}, runs the effect only when the claim answers the key locked and without a record,
	 * and answers one row: the claim's {@link #CLAIM_COLUMNS} and the effect's outcome (null when it did not run).
	 * A PL/pgSQL function of the service's does that in one call (the ledger's {@code ledger_post_keyed}).
	 */
	public interface ClaimingEffect {

		/** The statement, with the effect's own parameters bound; the executor binds the claim's. */
		DatabaseClient.GenericExecuteSpec statement();

		/**
		 * The effect's outcome, read from the statement's row at once (the row is gone afterwards): completes on
		 * success, fails with the refusal's problem.
		 */
		Mono<?> outcome(Readable row);

	}

	/** The claim's arguments in a {@link ClaimingEffect}'s statement, in idempotency_claim's order. */
	public static final String CLAIM_ARGUMENTS = ":claimClient, :claimKey, :claimRetention, :claimHash, :claimStatus, "
			+ ":claimHeaders, :claimBody";

	/** The claim's columns a {@link ClaimingEffect}'s statement answers, as idempotency_claim names them. */
	public static final String CLAIM_COLUMNS = "locked, request_hash, response_status, response_headers, response_body";

	/**
	 * Checks the key, then runs {@code claimAndRun} with the API client's name and the request's hash in one
	 * transaction (the key's lock is transaction-scoped).
	 */
	private Mono<ResponseEntity<String>> keyed(String key, String operation, Object request,
			BiFunction<String, String, Mono<ResponseEntity<String>>> claimAndRun) {
		if (key == null || !SANE_KEY.matcher(key).matches()) {
			return Mono.error(ApiProblem.validation(KEY_HEADER,
					(key == null) ? "is required for this request" : "must be 1 to 255 printable ASCII characters"));
		}
		String requestHash = sha256(operation + "\n" + this.json.writeValueAsString(request));
		return ReactiveSecurityContextHolder.getContext()
			.map(SecurityContext::getAuthentication)
			.map(Authentication::getName)
			.defaultIfEmpty("")
			.flatMap((client) -> claimAndRun.apply(client, requestHash).as(this.transactional::transactional));
	}

	/**
	 * The key's claim, one round trip ({@code idempotency_claim}, R__idempotency_key.sql): a transaction-scoped
	 * advisory lock on the key, then, under it, the key's record within the retention. Empty when the key has no
	 * record. The lookup must come after the lock (its own snapshot, inside the function), or it could miss a
	 * first request that committed in between.
	 */
	private Mono<StoredResponse> claim(String client, String key) {
		return this.db.sql("SELECT " + CLAIM_COLUMNS + " FROM idempotency_claim(:client, :key, :retention)")
			.bind("client", client)
			.bind("key", key)
			.bind("retention", (double) this.properties.retention().toSeconds())
			.map(this::readClaim)
			.one()
			.flatMap(Mono::justOrEmpty);
	}

	/** The claim's arguments, bound to a {@link ClaimingEffect}'s statement: the record it writes is this response's. */
	private DatabaseClient.GenericExecuteSpec bindClaim(DatabaseClient.GenericExecuteSpec statement, String client,
			String key, String requestHash, Rendered response) {
		return statement.bind("claimClient", client)
			.bind("claimKey", key)
			.bind("claimRetention", (double) this.properties.retention().toSeconds())
			.bind("claimHash", requestHash)
			.bind("claimStatus", response.entity().getStatusCode().value())
			.bind("claimHeaders", Json.of(response.headersJson()))
			.bind("claimBody", response.entity().getBody());
	}

	/** The claim's columns: 409 when another request holds the key, the key's record when it has one. */
	private Optional<StoredResponse> readClaim(Readable row) {
		if (!Boolean.TRUE.equals(row.get("locked", Boolean.class))) {
			throw ApiProblem.conflict(KEY_IN_USE,
					"A request with this Idempotency-Key is still being processed; retry shortly.");
		}
		String hash = row.get("request_hash", String.class);
		return Optional.ofNullable((hash == null) ? null : new StoredResponse(hash, row.get("response_status", Integer.class),
				this.json.readValue(row.get("response_headers", Json.class).asString(), HEADERS),
				row.get("response_body", String.class)));
	}

	private Mono<ResponseEntity<String>> replay(StoredResponse stored, String requestHash) {
		if (!stored.requestHash().equals(requestHash)) {
			return Mono.error(new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, KEY_REUSED, "Idempotency key reused",
					"This Idempotency-Key was used for a different request; use a new key for a new request."));
		}
		ResponseEntity.BodyBuilder response = ResponseEntity.status(stored.status());
		stored.headers().forEach(response::header);
		return Mono.just(response.header(REPLAYED_HEADER, "true").contentType(MediaType.APPLICATION_JSON).body(stored.body()));
	}

	private Mono<ResponseEntity<String>> runAndRecord(String client, String key, String requestHash,
			Supplier<? extends Mono<? extends ResponseEntity<?>>> action) {
		return action.get().flatMap((response) -> {
			Rendered rendered = render(response);
			if (!response.getStatusCode().is2xxSuccessful()) {
				return Mono.just(rendered.entity());
			}
			// a record past its retention is forgotten here, so its key starts afresh
			return this.db.sql("INSERT INTO idempotency_key (client_id, idempotency_key, request_hash, response_status, "
						+ "response_headers, response_body) VALUES (:client, :key, :hash, :status, :headers, :body) "
						+ "ON CONFLICT (tenant_id, client_id, idempotency_key) DO UPDATE SET request_hash = excluded.request_hash, "
						+ "response_status = excluded.response_status, response_headers = excluded.response_headers, "
						+ "response_body = excluded.response_body, created_at = now()")
				.bind("client", client)
				.bind("key", key)
				.bind("hash", requestHash)
				.bind("status", rendered.entity().getStatusCode().value())
				.bind("headers", Json.of(rendered.headersJson()))
				.bind("body", rendered.entity().getBody())
				.then()
				.thenReturn(rendered.entity());
		});
	}

	/** The response as it is sent and as it is replayed: its body as JSON text, and the headers worth replaying. */
	private Rendered render(ResponseEntity<?> response) {
		String body = (response.getBody() != null) ? this.json.writeValueAsString(response.getBody()) : "";
		Map<String, String> headers = new LinkedHashMap<>();
		REPLAYED_HEADERS.forEach((name) -> {
			String value = response.getHeaders().getFirst(name);
			if (value != null) {
				headers.put(name, value);
			}
		});
		ResponseEntity<String> entity = ResponseEntity.status(response.getStatusCode())
			.headers((target) -> headers.forEach(target::set))
			.contentType(MediaType.APPLICATION_JSON)
			.body(body);
		return new Rendered(entity, this.json.writeValueAsString(headers));
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private record StoredResponse(String requestHash, int status, Map<String, String> headers, String body) {
	}

	/** A response ready to send, and its replayed headers as the JSON the record stores. */
	private record Rendered(ResponseEntity<String> entity, String headersJson) {
	}

}
