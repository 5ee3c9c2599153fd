package io.scalarhub.platform.data;

import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.Wrapped;
import org.reactivestreams.Publisher;

/**
 * A statement that hands its bindings and settings to another and decides only how it executes: the base of the
 * platform's wrappers around the driver's statements. Every fluent method returns this wrapper, not the one
 * inside, so a caller that chains never steps past it.
 */
public abstract class ForwardingStatement implements Statement, Wrapped<Statement> {

	private final Statement delegate;

	protected ForwardingStatement(Statement delegate) {
		this.delegate = delegate;
	}

	/** The statement's results, however this wrapper runs {@link #unwrap() the one inside}. */
	@Override
	public abstract Publisher<? extends Result> execute();

	@Override
	public Statement add() {
		this.delegate.add();
		return this;
	}

	@Override
	public Statement bind(int index, Object value) {
		this.delegate.bind(index, value);
		return this;
	}

	@Override
	public Statement bind(String name, Object value) {
		this.delegate.bind(name, value);
		return this;
	}

	@Override
	public Statement bindNull(int index, Class<?> type) {
		this.delegate.bindNull(index, type);
		return this;
	}

	@Override
	public Statement bindNull(String name, Class<?> type) {
		this.delegate.bindNull(name, type);
		return this;
	}

	@Override
	public Statement returnGeneratedValues(String... columns) {
		this.delegate.returnGeneratedValues(columns);
		return this;
	}

	@Override
	public Statement fetchSize(int rows) {
		this.delegate.fetchSize(rows);
		return this;
	}

	@Override
	public Statement unwrap() {
		return this.delegate;
	}

}
