package io.scalarhub.platform.observability;

import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.Wrapped;
import io.scalarhub.platform.data.ForwardingStatement;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * What the database driver's publishers see of a request's Reactor context: only the observation its statements
 * are children of, under a key of the platform's own.
 * <p>
 * Why: with micrometer's context-propagation on the classpath, Reactor restores every registered thread local from
 * the subscriber's context around each signal of a {@code handle} operator, and the PostgreSQL driver handles every
 * backend message that way. A request's context holds its observation (restoring it opens and closes a tracing
 * scope), its security context and its exchange: measured, 12–13 % of a service's CPU per read and per transfer
 * went to those restores, none of which the driver uses. Under a key that no thread-local accessor knows, the
 * observation stays available to the statement observations ({@link #parentObservation}) and is never restored.
 */
public final class DriverContext {

	/** Where the observation of the work a statement serves travels below the connection. */
	static final String PARENT_OBSERVATION = "scalarhub.sql.parent-observation";

	private DriverContext() {
	}

	/** The context the driver gets in place of {@code context}. */
	public static Context forDriver(Context context) {
		Object parent = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
		return (parent != null) ? Context.of(PARENT_OBSERVATION, parent) : Context.empty();
	}

	/** The observation a statement runs under: from {@link #forDriver}, else from an untouched context. */
	public static Object parentObservation(ContextView context) {
		Object parent = context.getOrDefault(PARENT_OBSERVATION, null);
		return (parent != null) ? parent : context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
	}

	/** {@code publisher}, subscribed to with {@link #forDriver}'s context. */
	public static <T> Mono<T> isolated(Publisher<T> publisher) {
		return Mono.from(publisher).contextWrite(DriverContext::forDriver);
	}

	/** {@code statement}, whose results and their rows are produced under {@link #forDriver}'s context. */
	public static Statement isolated(Statement statement) {
		return new IsolatedStatement(statement);
	}

	private static <T> Flux<T> isolatedFlux(Publisher<T> publisher) {
		return Flux.from(publisher).contextWrite(DriverContext::forDriver);
	}

	private static final class IsolatedStatement extends ForwardingStatement {

		IsolatedStatement(Statement delegate) {
			super(delegate);
		}

		@Override
		public Publisher<? extends Result> execute() {
			return isolatedFlux(unwrap().execute()).map(IsolatedResult::new);
		}

	}

	private static final class IsolatedResult implements Result, Wrapped<Result> {

		private final Result delegate;

		IsolatedResult(Result delegate) {
			this.delegate = delegate;
		}

		@Override
		public Publisher<Long> getRowsUpdated() {
			return isolatedFlux(this.delegate.getRowsUpdated());
		}

		@Override
		public <T> Publisher<T> map(BiFunction<Row, RowMetadata, ? extends T> mappingFunction) {
			return isolatedFlux(this.delegate.map(mappingFunction));
		}

		@Override
		public <T> Publisher<T> map(Function<? super Readable, ? extends T> mappingFunction) {
			return isolatedFlux(this.delegate.map(mappingFunction));
		}

		@Override
		public Result filter(Predicate<Segment> filter) {
			return new IsolatedResult(this.delegate.filter(filter));
		}

		@Override
		public <T> Publisher<T> flatMap(Function<Segment, ? extends Publisher<? extends T>> mappingFunction) {
			return isolatedFlux(this.delegate.flatMap(mappingFunction));
		}

		@Override
		public Result unwrap() {
			return this.delegate;
		}

	}

}
