package io.scalarhub.platform.data;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * A read that runs one statement: on the read replica when it is usable (the routing connection factory sees a
 * read-only intent), under the work's tenant, and in no transaction, for there is no second statement to see the same
 * snapshot. So it costs PostgreSQL one statement where a read-only transaction costs four ({@code BEGIN}, the
 * tenant, the statement, {@code COMMIT}) and two waits; the tenant is the pool's to set
 * (io.scalarhub.platform.tenancy.TenantSessionConnections), only when the connection's session holds another.
 * <p>
 * Inside a transaction it joins that transaction. A read of two statements or more that must agree (a page and its
 * total) stays {@code @Transactional(readOnly = true)}.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Transactional(readOnly = true, propagation = Propagation.SUPPORTS)
public @interface OneStatementRead {

	/** The transaction manager's bean name, when an app has more than one. */
	@AliasFor(annotation = Transactional.class, attribute = "transactionManager")
	String transactionManager() default "";

}
