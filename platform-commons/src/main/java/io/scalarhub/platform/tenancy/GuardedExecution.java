package io.scalarhub.platform.tenancy;

import java.util.function.Supplier;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.Wrapped;
import io.scalarhub.platform.data.ForwardingStatement;
import io.scalarhub.platform.observability.DriverContext;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/**
 * What must happen on a connection before its statements run (the tenant connections' {@code BEGIN} or session
 * scope), and the statement and batch wrappers that run through it.
 */
@FunctionalInterface
interface GuardedExecution {

	/** {@code work}'s results, once whatever must come first has been sent (or done). */
	Flux<Result> execute(Supplier<Publisher<? extends Result>> work);

	/** {@code statement}, executing through this guard. */
	default Statement guard(Statement statement) {
		return new GuardedStatement(statement, this);
	}

	/** {@code batch}, executing through this guard, its results under {@link DriverContext#forDriver}. */
	default Batch guard(Batch batch) {
		return new GuardedBatch(batch, this);
	}

	final class GuardedStatement extends ForwardingStatement {

		private final GuardedExecution guard;

		GuardedStatement(Statement statement, GuardedExecution guard) {
			super(statement);
			this.guard = guard;
		}

		@Override
		public Publisher<? extends Result> execute() {
			return this.guard.execute(unwrap()::execute);
		}

	}

	final class GuardedBatch implements Batch, Wrapped<Batch> {

		private final Batch batch;

		private final GuardedExecution guard;

		GuardedBatch(Batch batch, GuardedExecution guard) {
			this.batch = batch;
			this.guard = guard;
		}

		@Override
		public Batch add(String sql) {
			this.batch.add(sql);
			return this;
		}

		@Override
		public Publisher<? extends Result> execute() {
			return this.guard.execute(() -> Flux.from(this.batch.execute()).contextWrite(DriverContext::forDriver));
		}

		@Override
		public Batch unwrap() {
			return this.batch;
		}

	}

}
