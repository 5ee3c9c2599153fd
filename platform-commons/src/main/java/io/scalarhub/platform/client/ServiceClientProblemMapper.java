package io.scalarhub.platform.client;

import java.util.Optional;

import io.scalarhub.platform.problem.ApiProblem;
import io.scalarhub.platform.problem.ProblemMapper;

/** What a failed service-to-service call means for the client: 503 when unavailable, else the downstream's problem. */
public class ServiceClientProblemMapper implements ProblemMapper {

	@Override
	public Optional<ApiProblem> map(Throwable error) {
		if (error instanceof ServiceUnavailableException unavailable) {
			return Optional.of(ApiProblem.unavailable(
					"A service this request depends on is unavailable; retry shortly.", unavailable.retryAfterSeconds()));
		}
		if (error instanceof DownstreamRejectedException rejected) {
			return Optional.of(rejected.problem());
		}
		return Optional.empty();
	}

}
