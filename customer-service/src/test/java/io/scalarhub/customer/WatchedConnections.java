package io.scalarhub.customer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.proxy.core.MethodExecutionInfo;
import io.r2dbc.proxy.core.QueryExecutionInfo;
import io.r2dbc.proxy.core.QueryInfo;
import io.r2dbc.proxy.listener.ProxyExecutionListener;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;

/** A connection factory watched from below with r2dbc-proxy: the SQL that reaches it, and the connection methods called. */
final class WatchedConnections {

	final List<String> queries = new CopyOnWriteArrayList<>();

	final List<String> connectionMethods = new CopyOnWriteArrayList<>();

	final ConnectionFactory factory;

	WatchedConnections(ConnectionFactory watched) {
		this.factory = ProxyConnectionFactory.builder(watched).listener(new ProxyExecutionListener() {
			@Override
			public void beforeQuery(QueryExecutionInfo execution) {
				execution.getQueries().stream().map(QueryInfo::getQuery).forEach(WatchedConnections.this.queries::add);
			}

			@Override
			public void beforeMethod(MethodExecutionInfo execution) {
				if (execution.getTarget() instanceof Connection) {
					WatchedConnections.this.connectionMethods.add(execution.getMethod().getName());
				}
			}
		}).build();
	}

}
