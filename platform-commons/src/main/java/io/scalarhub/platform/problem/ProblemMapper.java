package io.scalarhub.platform.problem;

import java.util.Optional;

/**
 * Turns a kind of exception the platform does not know into an {@link ApiProblem}. Beans of this type are
 * asked in order before the generic mapping, so a module that brings a new failure mode (a database, a
 * downstream client) maps it where it is defined instead of in one growing switch.
 */
@FunctionalInterface
public interface ProblemMapper {

	Optional<ApiProblem> map(Throwable error);

}
