package io.scalarhub.suite;

import java.util.List;
import java.util.stream.Collectors;

import io.scalarhub.suite.Suite.App;
import io.scalarhub.suite.Suite.Kind;

/** {@code deploy/local/suite.sh}: the lists the local scripts start, stop, scale and provision by (lib.sh sources it). */
final class LocalLauncherLists implements DerivedFile {

	@Override
	public String path() {
		return "deploy/local/suite.sh";
	}

	@Override
	public String render(Suite suite, String current) {
		StringBuilder out = new StringBuilder("# shellcheck shell=bash disable=SC2034 # used by the scripts that source it\n");
		out.append(DerivedFile.header("#"));
		out.append("# app name = Maven module; its API port before SCALARHUB_PORT_OFFSET. The management port is port + 10000.\n");
		out.append("declare -A APP_BASE_PORT=(")
			.append(suite.apps().stream().map((app) -> "[" + app.name() + "]=" + app.port()).collect(Collectors.joining(" ")))
			.append(")\n");
		List<App> first = suite.apps().stream().filter(App::startsFirst).toList();
		List<App> rest = suite.apps().stream().filter((app) -> !app.startsFirst()).toList();
		out.append("# start order: the app every other imports its configuration from, then the rest in parallel\n");
		out.append("FIRST_APPS=(").append(names(first)).append(")\n");
		out.append("PARALLEL_APPS=(").append(names(rest)).append(")\n");
		out.append("# the domain services: found through Eureka, scalable (scale.sh)\n");
		out.append("SERVICES=(").append(names(suite.services())).append(")\n");
		out.append("# stop order (down.sh): what serves traffic first, so it can still deregister; then the registry and auth;\n");
		out.append("# configuration last\n");
		out.append("STOP_FIRST=(").append(names(suite.ofKind(Kind.EDGE))).append(' ').append(names(suite.services()))
			.append(")\n");
		out.append("STOP_THEN=(")
			.append(names(rest.stream().filter((app) -> app.kind() == Kind.INFRASTRUCTURE).toList()))
			.append(")\n");
		out.append("STOP_LAST=(").append(names(first)).append(")\n");
		out.append("# each app's own JVM options (jvm-options), after those every app gets (APP_JVM_OPTS in lib.sh)\n");
		out.append("declare -A APP_OWN_JVM_OPTS=(")
			.append(suite.apps().stream().filter((app) -> !app.jvmOptions().isEmpty())
				.map((app) -> "[" + app.name() + "]=\"" + String.join(" ", app.jvmOptionList()) + "\"")
				.collect(Collectors.joining(" ")))
			.append(")\n");
		out.append("# the databases infra.sh creates (the apps' own, each on the primary and its replica)\n");
		out.append("SUITE_DATABASES=\"").append(String.join(" ", suite.databases())).append("\"\n");
		return out.toString();
	}

	private static String names(List<App> apps) {
		return apps.stream().map(App::name).collect(Collectors.joining(" "));
	}

}
