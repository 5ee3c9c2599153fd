package io.scalarhub.platform.security;

import java.util.function.Predicate;

import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;

/**
 * The characters Spring Security's strict firewall allows in header names, header values and parameter names,
 * checked without a regex. The rules are Spring's own ({@code [\p{IsAssigned}&&[^\p{IsControl}]]*}, and for header
 * values a tab besides); the firewall re-checks a header every time a filter reads it, and Spring's predicates
 * match each read against a Unicode character-class regex: 18 % of the security layer's CPU in the gateway's
 * profile (docs/performance.md), mostly the 1 KB {@code Authorization} header read again and again. Printable ASCII
 * is decided by a range check; other characters by the same Unicode categories the regex names.
 * {@code FirewallCharacterRulesTest} holds these to Spring's predicates for every code point.
 */
public final class FirewallCharacterRules {

	/** Header and parameter names: assigned code points that are not control characters. */
	public static final Predicate<String> NAMES = (s) -> s == null || allowed(s, false);

	/** Header values: the same, and a tab. */
	public static final Predicate<String> HEADER_VALUES = (s) -> s == null || allowed(s, true);

	private FirewallCharacterRules() {
	}

	/** Spring's strict firewall with these rules in place of its regex-based ones; everything else its default. */
	public static StrictServerWebExchangeFirewall strictFirewall() {
		StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
		firewall.setAllowedHeaderNames(NAMES);
		firewall.setAllowedHeaderValues(HEADER_VALUES);
		firewall.setAllowedParameterNames(NAMES);
		return firewall;
	}

	private static boolean allowed(String s, boolean tab) {
		int length = s.length();
		for (int i = 0; i < length;) {
			char c = s.charAt(i);
			if (c >= 0x20 && c < 0x7f) {
				i++;
				continue;
			}
			int codePoint = s.codePointAt(i);
			int type = Character.getType(codePoint);
			if (type == Character.UNASSIGNED || (type == Character.CONTROL && !(tab && codePoint == '\t'))) {
				return false;
			}
			i += Character.charCount(codePoint);
		}
		return true;
	}

}
