package io.scalarhub.platform.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The platform's firewall rules decide exactly as Spring Security's regex-based ones: for every code point alone,
 * for the strings a request carries, and for random mixtures of the characters where the rules differ.
 */
class FirewallCharacterRulesTest {

	@Test
	void everyCodePointIsDecidedAsSpringDecidesIt() {
		List<String> differences = new ArrayList<>();
		for (int codePoint = 0; codePoint <= Character.MAX_CODE_POINT; codePoint++) {
			String s = new String(Character.toChars(codePoint));
			compare(s, differences);
			compare("Bearer " + s + "x", differences);
		}
		assertThat(differences).isEmpty();
	}

	@Test
	void theCharactersThatMatterAreDecidedAsExpected() {
		assertThat(FirewallCharacterRules.HEADER_VALUES.test("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln")).isTrue();
		assertThat(FirewallCharacterRules.HEADER_VALUES.test("a\tb")).isTrue();
		assertThat(FirewallCharacterRules.NAMES.test("a\tb")).isFalse();
		assertThat(FirewallCharacterRules.HEADER_VALUES.test("caf\u00e9 \ud83d\ude00")).isTrue();
		for (String refused : new String[] { "a\u0000b", "a\u0001", "\u007f", "x\u0085", "\u0378", "a\r\nb" }) {
			assertThat(FirewallCharacterRules.HEADER_VALUES.test(refused)).as(refused).isFalse();
			assertThat(FirewallCharacterRules.NAMES.test(refused)).as(refused).isFalse();
		}
		assertThat(FirewallCharacterRules.NAMES.test(null)).isTrue();
		assertThat(FirewallCharacterRules.HEADER_VALUES.test("")).isTrue();
	}

	@Test
	void randomMixturesOfAsciiControlUnassignedAndSurrogatesAreDecidedAsSpringDecidesThem() {
		// printable ASCII, tab, other controls, DEL and C1, an unassigned code point, a lone high and low surrogate,
		// a letter outside the BMP as its pair, and a non-ASCII letter
		String[] pieces = { "a", "Z", "~", " ", "\t", "\u0000", "\u001f", "\u007f", "\u0090", "\u0378", "\ud83d",
				"\ude00", "\ud83d\ude00", "\u00e9", "=" };
		Random random = new Random(20261129);
		List<String> differences = new ArrayList<>();
		for (int i = 0; i < 50_000; i++) {
			StringBuilder s = new StringBuilder();
			int length = random.nextInt(12);
			for (int j = 0; j < length; j++) {
				s.append(pieces[random.nextInt(pieces.length)]);
			}
			compare(s.toString(), differences);
		}
		assertThat(differences).isEmpty();
	}

	private static void compare(String s, List<String> differences) {
		check("header name", StrictServerWebExchangeFirewall.ALLOWED_HEADER_NAMES, FirewallCharacterRules.NAMES, s,
				differences);
		check("header value", StrictServerWebExchangeFirewall.ALLOWED_HEADER_VALUES,
				FirewallCharacterRules.HEADER_VALUES, s, differences);
		check("parameter name", StrictServerWebExchangeFirewall.ALLOWED_PARAMETER_NAMES, FirewallCharacterRules.NAMES,
				s, differences);
	}

	private static void check(String what, Predicate<String> spring, Predicate<String> ours, String s,
			List<String> differences) {
		boolean expected = spring.test(s);
		if (ours.test(s) != expected && differences.size() < 20) {
			differences.add(what + " " + s.codePoints().mapToObj(Integer::toHexString).toList() + ": Spring says "
					+ expected);
		}
	}

}
