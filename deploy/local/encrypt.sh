#!/usr/bin/env bash
# Prints VALUE as a {cipher} value for deploy/config, encrypted with ENCRYPT_KEY (default: the local demo
# key, lib.sh). Each app decrypts such values itself with the key in its environment; config-server serves
# them as they are. Spring Cloud's symmetric format (AES, PBKDF2-derived key, salt "deadbeef").
#
#   deploy/local/encrypt.sh VALUE            e.g. a service client's secret, or a {bcrypt} hash
#   ENCRYPT_KEY=... deploy/local/encrypt.sh VALUE
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "$0")/lib.sh"
(($# == 1)) || die "usage: $0 VALUE"
crypto=$(ls "${HOME}"/.m2/repository/org/springframework/security/spring-security-crypto/*/spring-security-crypto-*.jar 2>/dev/null |
    grep -v sources | sort -V | tail -n 1 || true)
[[ -n $crypto ]] || die "spring-security-crypto is not in ~/.m2: build once (mvn -DskipTests package)"
tool=$(mktemp -d)
trap 'rm -rf "$tool"' EXIT
cat >"$tool/Encrypt.java" <<'JAVA'
public class Encrypt {
	public static void main(String[] args) {
		String key = System.getenv("SCALARHUB_ENCRYPT_KEY");
		System.out.println("{cipher}" + org.springframework.security.crypto.encrypt.Encryptors.text(key, "deadbeef").encrypt(args[0]));
	}
}
JAVA
# (Encryptors.text is the format Spring Cloud reads: javac's deprecation note about it is dropped)
SCALARHUB_ENCRYPT_KEY=${ENCRYPT_KEY:-$DEMO_ENCRYPT_KEY} java -cp "$crypto" "$tool/Encrypt.java" "$1" 2> >(grep -v "^Note:" >&2)
