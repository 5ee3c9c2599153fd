package io.scalarhub.platform.problem;

import java.util.Optional;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * A database that cannot be reached, or refuses for now (connection lost, pool exhausted, serialization
 * conflict that outlived its retries), is a 503 with {@code Retry-After}: the request did nothing and may be
 * sent again. It is never reported as the client's error nor as a 500.
 */
public class DatabaseProblemMapper implements ProblemMapper {

	@Override
	public Optional<ApiProblem> map(Throwable error) {
		return Optional.ofNullable(Causes.find(error, DatabaseProblemMapper::isUnavailability))
			.map((unavailable) -> ApiProblem.unavailable("The database is unavailable; retry shortly.", 1));
	}

	private static boolean isUnavailability(Throwable error) {
		return error instanceof TransientDataAccessException || error instanceof DataAccessResourceFailureException
				|| error instanceof CannotCreateTransactionException || error instanceof R2dbcTransientException
				|| error instanceof R2dbcNonTransientResourceException;
	}

}
