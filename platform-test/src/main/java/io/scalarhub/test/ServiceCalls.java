package io.scalarhub.test;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.scalarhub.test.StubService.Response;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a call from one platform service to another must look like (zero trust for the internal API): the
 * calling service's own token — scope {@code internal}, no tenant claim, never the API client's token
 * relayed — and the tenant it acts for in {@code X-Scalarhub-Tenant}. Service tests put their downstream
 * stubs behind {@link #internalRoute}, so that they answer only such calls, as the real services do (anything
 * else is 403), and check every call the stubs received with {@link #assertServiceCallsFor}.
 */
public final class ServiceCalls {

	public static final String TENANT_HEADER = "X-Scalarhub-Tenant";

	private static final Pattern SCOPE_CLAIM = Pattern.compile("\"scope\"\\s*:\\s*(\\[[^\\]]*\\]|\"[^\"]*\")");

	private ServiceCalls() {
	}

	/** The scopes of the call's bearer token. */
	public static List<String> tokenScopes(StubService.Request request) {
		Matcher scope = SCOPE_CLAIM.matcher(request.tokenClaims());
		return scope.find() ? Arrays.stream(scope.group(1).split("[\\[\\]\",\\s]+")).filter((s) -> !s.isEmpty()).toList()
				: List.of();
	}

	/** Whether the call came with a platform service's own token: scope internal, no tenant of its own. */
	public static boolean withServiceToken(StubService.Request request) {
		return request.tokenTenant() == null && tokenScopes(request).contains("internal");
	}

	/** What a real service answers a call on its internal API without a service token naming a tenant. */
	public static Response refused(StubService.Request request) {
		return new Response(403, "{\"type\":\"https://scalarhub.io/problems/"
				+ (withServiceToken(request) ? "tenant-required" : "forbidden") + "\",\"title\":\"Forbidden\",\"status\":403}");
	}

	/** Whether a call would get past the real services' security and tenant filter. */
	public static boolean admitted(StubService.Request request) {
		return withServiceToken(request) && request.tenant() != null;
	}

	/** {@code handler} behind the real services' checks: a call they would refuse is refused (403). */
	public static Function<StubService.Request, Response> internalRoute(Function<StubService.Request, Response> handler) {
		return (request) -> admitted(request) ? handler.apply(request) : refused(request);
	}

	/** Asserts that {@code calls} were all made with the service's own token for {@code tenant}. */
	public static void assertServiceCallsFor(List<StubService.Request> calls, String tenant) {
		assertThat(calls).allSatisfy((call) -> assertServiceCallFor(call, tenant));
	}

	public static void assertServiceCallFor(StubService.Request call, String tenant) {
		String what = call.method() + " " + call.path();
		assertThat(call.tokenTenant()).as("tenant claim of the token on %s (an API client's token relayed?)", what)
			.isNull();
		assertThat(tokenScopes(call)).as("scopes of the token on %s", what).contains("internal");
		if (tenant != null) {
			assertThat(call.tenant()).as("X-Scalarhub-Tenant on %s", what).isEqualTo(tenant);
		}
		else {
			assertThat(call.tenant()).as("X-Scalarhub-Tenant on %s", what).isNotNull();
		}
	}

}
