package io.scalarhub.platform.data;

import java.security.Principal;
import java.time.Clock;
import java.util.Set;

import io.scalarhub.platform.problem.ApiProblem;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Read-your-writes over an asynchronous replica. A successful write answers with
 * {@code X-Consistency-Token}: the primary's WAL position after the write committed. A read that presents
 * a token, or that comes from a client whose last write on this instance is recent, is served by the
 * replica only once the replica has replayed that far, else by the primary. Other reads may be a little
 * stale, which is what a replica is for.
 */
public class ConsistencyTokenWebFilter implements WebFilter, Ordered {

	public static final String HEADER = "X-Consistency-Token";

	private static final Set<HttpMethod> WRITES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
			HttpMethod.DELETE);

	private final ReplicaMonitor monitor;

	private final RecentWrites recentWrites;

	public ConsistencyTokenWebFilter(ReplicaMonitor monitor, ReadReplicaProperties properties) {
		this.monitor = monitor;
		this.recentWrites = new RecentWrites(properties.recentWriteWindow(), Clock.systemUTC());
	}

	/** After security, so that the principal (the API client) is known. */
	@Override
	public int getOrder() {
		return 0;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String presented = exchange.getRequest().getHeaders().getFirst(HEADER);
		Lsn token = Lsn.parse(presented);
		if (presented != null && token == null) {
			return Mono.error(ApiProblem.validation(HEADER, "must be a token returned by a write, such as 0/16B3748"));
		}
		return exchange.getPrincipal().map(Principal::getName).defaultIfEmpty("").flatMap((client) -> {
			// a write's own commits report where they ended (PositionReportingTransactionManager)
			CommitPosition committed = WRITES.contains(exchange.getRequest().getMethod()) ? new CommitPosition() : null;
			if (committed != null) {
				exchange.getResponse().beforeCommit(() -> stampPosition(exchange, client, committed));
			}
			Lsn mustSee = later(token, client.isEmpty() ? null : this.recentWrites.lastWrite(client));
			return chain.filter(exchange).contextWrite((context) -> {
				Context withPosition = (committed != null) ? context.put(CommitPosition.class, committed) : context;
				return (mustSee != null) ? withPosition.put(Lsn.class, mustSee) : withPosition;
			});
		});
	}

	private Mono<Void> stampPosition(ServerWebExchange exchange, String client, CommitPosition committed) {
		if (exchange.getResponse().getStatusCode() == null || !exchange.getResponse().getStatusCode().is2xxSuccessful()) {
			return Mono.empty();
		}
		// a write that committed nothing here itself (it wrote only through another service)
		// still gets the primary's current position: the token must never point before what the client saw
		Mono<Lsn> stamped = committed.latest().map(Mono::just).orElseGet(this.monitor::primaryPosition);
		return stamped.doOnNext((position) -> {
			exchange.getResponse().getHeaders().set(HEADER, position.toString());
			if (!client.isEmpty()) {
				this.recentWrites.record(client, position);
			}
		}).onErrorResume((error) -> Mono.empty()).then();
	}

	private static Lsn later(Lsn a, Lsn b) {
		if (a == null) {
			return b;
		}
		return (b == null || a.compareTo(b) >= 0) ? a : b;
	}

}
