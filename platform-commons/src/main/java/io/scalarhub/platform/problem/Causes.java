package io.scalarhub.platform.problem;

import java.util.function.Predicate;

/** Walks an exception's cause chain: what the error mappers look for is often wrapped. */
public final class Causes {

	private Causes() {
	}

	/** The first throwable in {@code error}'s cause chain (itself included) that matches, or null. */
	public static Throwable find(Throwable error, Predicate<Throwable> matches) {
		for (Throwable current = error; current != null; current = current.getCause()) {
			if (matches.test(current)) {
				return current;
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return null;
	}

	/** The first throwable of {@code type} in {@code error}'s cause chain, or null. */
	public static <T extends Throwable> T find(Throwable error, Class<T> type) {
		return type.cast(find(error, type::isInstance));
	}

}
