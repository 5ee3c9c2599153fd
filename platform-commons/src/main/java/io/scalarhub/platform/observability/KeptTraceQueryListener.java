package io.scalarhub.platform.observability;

import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.r2dbc.proxy.core.QueryExecutionInfo;
import io.r2dbc.proxy.listener.ProxyExecutionListener;
import io.r2dbc.proxy.observation.ObservationProxyExecutionListener;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * r2dbc-proxy's statement observation (a client span, a timer and an event per row for every SQL statement), for
 * the statements of work whose trace is kept. Under parent-based sampling the rest would get spans that are never
 * recorded, and still pay for each one's observation, context, timer and events; they get nothing. A trace that
 * is kept has every statement. Nothing reads the per-statement timers: request timers, the pools' metrics and the
 * kept traces say how the database is doing.
 */
final class KeptTraceQueryListener implements ProxyExecutionListener {

	private final ObservationProxyExecutionListener observations;

	KeptTraceQueryListener(ObservationProxyExecutionListener observations) {
		this.observations = observations;
	}

	// both find no observation, and do nothing, for a statement that was not observed
	@Override
	public void afterQuery(QueryExecutionInfo execution) {
		this.observations.afterQuery(execution);
	}

	@Override
	public void eachQueryResult(QueryExecutionInfo execution) {
		this.observations.eachQueryResult(execution);
	}

	@Override
	public void beforeQuery(QueryExecutionInfo execution) {
		Observation parent = parent(execution);
		if (isKept(parent)) {
			// r2dbc-proxy's listener finds it under the key the driver's context no longer has (DriverContext)
			execution.getValueStore().put(ContextView.class, Context.of(ObservationThreadLocalAccessor.KEY, parent));
			this.observations.beforeQuery(execution);
		}
	}

	/** The observation the statement runs under. */
	private static Observation parent(QueryExecutionInfo execution) {
		ContextView context = execution.getValueStore().get(ContextView.class, ContextView.class);
		return (context != null && DriverContext.parentObservation(context) instanceof Observation parent) ? parent
				: null;
	}

	static boolean isKept(Observation parent) {
		if (parent == null || parent.isNoop()) {
			return false;
		}
		TracingObservationHandler.TracingContext tracing = parent.getContextView()
			.get(TracingObservationHandler.TracingContext.class);
		Span span = (tracing != null) ? tracing.getSpan() : null;
		return span != null && Boolean.TRUE.equals(span.context().sampled());
	}

}
