#!/usr/bin/env python3
"""Where a JVM allocates: jdk.ObjectAllocationSample events (bench/jfr-allocations.jfc) counted by the first library in
the stack, by class and by allocation site (the first frame outside the JDK and the one calling it).

    jfr print --json --stack-depth 64 --events jdk.ObjectAllocationSample REC.jfr | bench/jfr-allocations.py

Samples are counted, not weighted (see jfr-allocations.jfc)."""
import collections
import json
import sys

JDK = ("java/", "jdk/", "sun/")
# the first of these in a stack, from the allocating frame outwards, names the layer that allocated
LAYERS = (("micrometer", "observation, tracing, metrics"), ("opentelemetry", "observation, tracing, metrics"),
          ("boot/logging", "logging"), ("boot/json", "logging"), ("logback", "logging"), ("slf4j", "logging"),
          ("springframework/security", "security"), ("nimbusds", "security"),
          ("springframework/cloud", "Spring Cloud"), ("lettuce", "Redis client"), ("scalarhub", "our code"),
          ("springframework/http", "HTTP (Spring Web)"), ("springframework/web", "HTTP (Spring Web)"),
          ("reactor/netty", "Netty transport"), ("io/netty", "Netty transport"), ("reactor/core", "Reactor"))


def main():
    events = json.load(sys.stdin)["recording"]["events"]
    layers, classes, sites = collections.Counter(), collections.Counter(), collections.Counter()
    for event in events:
        values = event["values"]
        frames = [frame["method"]["type"]["name"] + "." + frame["method"]["name"]
                  for frame in (values.get("stackTrace") or {}).get("frames", [])]
        classes[values["objectClass"]["name"]] += 1
        layers[next((layer for frame in frames for key, layer in LAYERS if key in frame), "JDK, other")] += 1
        first = next((i for i, frame in enumerate(frames) if not frame.startswith(JDK)), 0)
        sites[" <- ".join(frame.rsplit("/", 1)[-1] for frame in frames[first:first + 2])] += 1
    print("%d allocation samples" % len(events))
    for title, counter, rows in (("layer", layers, 20), ("class", classes, 12), ("site", sites, 20)):
        print("  by %s" % title)
        for name, count in counter.most_common(rows):
            print("  %5.1f%%  %s" % (100.0 * count / max(len(events), 1), name[:160]))


if __name__ == "__main__":
    main()
