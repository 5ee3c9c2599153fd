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
		for (Throwable current = error; current != null; current = current.getCause()) {
			if (current instanceof TransientDataAccessException || current instanceof DataAccessResourceFailureException
					|| current instanceof CannotCreateTransactionException
					|| current instanceof R2dbcTransientException
					|| current instanceof R2dbcNonTransientResourceException) {
				return Optional.of(ApiProblem.unavailable("The database is unavailable; retry shortly.", 1));
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return Optional.empty();
	}

}
