package io.scalarhub.customer;

import java.util.UUID;

import io.r2dbc.pool.ConnectionPool;
import io.scalarhub.platform.data.Lsn;
import io.scalarhub.platform.data.ReadReplica;
import io.scalarhub.platform.data.ReplicaMonitor;
import io.scalarhub.platform.tenancy.TenantScope;
import io.scalarhub.test.ServiceTestProperties;
import io.scalarhub.test.TestJwtIssuer;
import io.scalarhub.test.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica monitor is asked from inside requests' transactions (is the replica usable, has it replayed the
 * client's last write). Its queries must hand their connection back at once: bound to the caller's transaction,
 * each held a replica connection until that transaction ended, and a few concurrent reads drained the pool, so
 * that reads timed out on it and the replica's circuit opened.
 */
@SpringBootTest
class ReplicaMonitorConnectionsTest {

	static final TestJwtIssuer issuer = new TestJwtIssuer();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		ServiceTestProperties.register(registry, TestPostgres.createDatabase("customer_monitor"), issuer);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@Autowired
	ReplicaMonitor monitor;

	@Autowired
	ReadReplica replica;

	@Autowired
	ReactiveTransactionManager transactions;

	@Test
	void itsQueriesInsideATransactionReturnTheirReplicaConnectionBeforeTheTransactionEnds() {
		ConnectionPool replicaPool = this.replica.pool();
		// a position the replica has not reached, so that the monitor must ask it
		Lsn unreached = Lsn.parse("FFFFFF/0");
		Integer heldInside = TransactionalOperator.create(this.transactions)
			.transactional(this.monitor.hasReplayed(unreached)
				.then(this.monitor.hasReplayed(unreached))
				.then(Mono.fromSupplier(() -> replicaPool.getMetrics().orElseThrow().acquiredSize())))
			.contextWrite(TenantScope.with(UUID.randomUUID()))
			.block();
		assertThat(heldInside).isZero();
		assertThat(replicaPool.getMetrics().orElseThrow().acquiredSize()).isZero();
	}

}
