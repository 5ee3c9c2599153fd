package io.scalarhub.gateway.routing;

import org.springframework.cloud.context.scope.refresh.RefreshScopeRefreshedEvent;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Rebuilds the routes when the configuration they come from changes ({@code POST /actuator/refresh}), and only then.
 * Spring Cloud Gateway's own RouteRefreshListener (turned off in application.yml) also rebuilt them on every
 * Eureka heartbeat, that is every registry fetch: all routes and filters every 5 s, the response cache emptied with
 * them, for nothing, since {@code lb://} routes resolve their instances per request.
 */
@Component
public class ConfigurationRouteRefresh {

	private final ApplicationEventPublisher events;

	public ConfigurationRouteRefresh(ApplicationEventPublisher events) {
		this.events = events;
	}

	@EventListener(RefreshScopeRefreshedEvent.class)
	public void configurationChanged() {
		this.events.publishEvent(new RefreshRoutesEvent(this));
	}

}
