package io.scalarhub.platform.data;

import io.r2dbc.spi.ConnectionFactory;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;

/**
 * An R2DBC transaction manager that tells the connection factory a transaction is read-only <em>before</em>
 * it asks for the connection: Spring marks the transaction read-only only after {@code doBegin}, too late
 * for {@link ReadWriteRoutingConnectionFactory} to choose the replica.
 */
public class ReadOnlyRoutingTransactionManager extends R2dbcTransactionManager {

	public ReadOnlyRoutingTransactionManager(ConnectionFactory connectionFactory) {
		super(connectionFactory);
	}

	@Override
	protected Mono<Void> doBegin(TransactionSynchronizationManager synchronizationManager, Object transaction,
			TransactionDefinition definition) {
		synchronizationManager.setCurrentTransactionReadOnly(definition.isReadOnly());
		return super.doBegin(synchronizationManager, transaction, definition);
	}

}
