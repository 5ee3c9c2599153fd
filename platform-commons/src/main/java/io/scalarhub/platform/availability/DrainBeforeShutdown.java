package io.scalarhub.platform.availability;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * The first thing a stopping instance does: leave rotation, then keep serving while callers notice. It reports
 * itself not ready, takes itself out of the service registry, and waits {@link DrainProperties#drainDelay()};
 * only then does Boot's graceful shutdown stop the web server and let in-flight requests finish. Without it the
 * web server would close while the gateway still picks this instance from its cached registry, and requests sent
 * in that window would fail. The registry entry itself is removed later, when the registry client shuts down.
 */
public class DrainBeforeShutdown implements SmartLifecycle {

	/** Stopped before the web server's graceful shutdown (lifecycles stop in descending phase). */
	static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 512;

	private static final Log logger = LogFactory.getLog(DrainBeforeShutdown.class);

	private final ApplicationEventPublisher events;

	private final ServiceRegistry<Registration> registry;

	private final Registration registration;

	private final Duration drainDelay;

	private volatile boolean running;

	/** {@code registry} and {@code registration} are null in an app that registers nowhere. */
	public DrainBeforeShutdown(ApplicationEventPublisher events, ServiceRegistry<Registration> registry,
			Registration registration, Duration drainDelay) {
		this.events = events;
		this.registry = registry;
		this.registration = registration;
		this.drainDelay = drainDelay;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
		if (this.registry != null && this.registration != null) {
			this.registry.deregister(this.registration);
		}
		if (this.drainDelay.isZero() || this.drainDelay.isNegative()) {
			return;
		}
		logger.info("Out of rotation; serving for " + this.drainDelay.toMillis()
				+ " ms more while callers refresh their registry");
		try {
			Thread.sleep(this.drainDelay.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
