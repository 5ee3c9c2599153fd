package io.scalarhub.platform.client;

import io.scalarhub.platform.problem.ApiProblem;

/**
 * A downstream service refused the request with a 4xx problem. Neither retried nor counted against the
 * downstream's circuit. Unless the caller handles it, it reaches the client as the same problem: a 409
 * from the ledger stays a 409.
 */
public class DownstreamRejectedException extends RuntimeException {

	private final ApiProblem problem;

	public DownstreamRejectedException(ApiProblem problem) {
		super(problem.detail(), null, false, false);
		this.problem = problem;
	}

	public ApiProblem problem() {
		return this.problem;
	}

	public int status() {
		return this.problem.status().value();
	}

	public String type() {
		return this.problem.type();
	}

}
