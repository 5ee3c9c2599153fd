#!/usr/bin/env python3
"""Where a JVM's CPU goes, by layer: classifies a JFR recording's jdk.ExecutionSample stacks.

    bench/jfr-layers.py --label NAME --jfr FILE [--since T --until T] [--cpu-ms MS]
                        [--requests N --tasks-before F --tasks-after F]

Each sample is walked from its top frame (the method running) down, and counted for the first frame whose
class belongs to a layer (LAYERS below). JDK and general-purpose Spring frames (java.*, org.springframework.core,
...) are passed over, so a HashMap lookup done for Jackson is Jackson's and RSA arithmetic done for Nimbus is
security's. Reactor's operators sit under almost every frame of a reactive app; a sample counts as Reactor only
when no more specific layer is above them, which is Reactor's own work (operator bookkeeping, queues, context).
Generic Netty frames (buffers, channels, the event loop) move bytes for both the HTTP server and the PostgreSQL
connections: they are the driver's when a driver frame is below them, else "Netty transport".

ms/request per layer is its share of the samples x --cpu-ms (the JVM's CPU per request measured without JFR).
ExecutionSample sees Java threads running Java code only: not the JIT compilers, not the GC / VM thread, not
time in system calls; so that product spreads those over the layers. With --requests and --tasks-before/-after
(snapshots of /proc/<pid>/task/*/stat around the recording) the header shows how the recorded run's CPU split
between Java threads, GC/VM, JIT and JFR, to judge how much that is.
"""
import argparse
import collections
import datetime
import json
import os
import subprocess
import sys

# (layer, class-name prefixes); for each frame the longest matching prefix wins
LAYERS = [
    ("our code: platform", ["io.scalarhub.platform."]),
    ("our code: service", ["io.scalarhub."]),
    ("HTTP (codec, Spring Web)", ["reactor.netty.http.", "io.netty.handler.codec.http", "org.springframework.http.",
                                  "org.springframework.web.", "org.springframework.boot.web.",
                                  "org.springframework.boot.webflux.", "org.springframework.boot.http."]),
    ("Netty transport", ["io.netty.", "reactor.netty."]),
    ("security (Spring Security, Nimbus)", ["org.springframework.security.", "com.nimbusds.",
                                            "org.springframework.boot.security."]),
    ("observation, tracing, metrics", ["io.micrometer.", "io.opentelemetry.", "io.r2dbc.proxy.", "io.prometheus.",
                                       "org.springframework.boot.micrometer.", "org.springframework.boot.actuate.",
                                       "org.springframework.boot.opentelemetry."]),
    ("logging", ["ch.qos.logback.", "org.slf4j.", "net.logstash.", "org.springframework.boot.logging.",
                 "org.apache.logging."]),
    ("R2DBC driver", ["io.r2dbc.postgresql.", "com.ongres."]),
    ("R2DBC pool", ["io.r2dbc.pool.", "reactor.pool."]),
    ("Spring data, transactions", ["org.springframework.r2dbc.", "org.springframework.data.",
                                   "org.springframework.transaction."]),
    ("Jackson", ["tools.jackson.", "com.fasterxml."]),
    ("Reactor", ["reactor.core.", "reactor.util."]),
    ("Eureka, Spring Cloud, resilience4j", ["com.netflix.", "org.springframework.cloud.", "io.github.resilience4j.",
                                            "org.apache.hc.", "org.apache.http."]),
]
OTHER = "JDK, other"
# frames that never name a layer: the JDK and general-purpose Spring plumbing (look further down)
PASS_OVER = ("java.", "javax.", "jakarta.", "jdk.", "sun.", "com.sun.", "kotlin.", "org.reactivestreams.",
             "org.springframework.core.", "org.springframework.util.", "org.springframework.beans.",
             "org.springframework.context.", "org.springframework.aop.", "org.springframework.expression.",
             "org.springframework.boot.", "io.r2dbc.spi.")
PREFIXES = sorted(((p, layer) for layer, ps in LAYERS for p in ps), key=lambda pl: -len(pl[0]))
DRIVER = "R2DBC driver"


def layer_of(cls):
    for prefix, layer in PREFIXES:
        if cls.startswith(prefix):
            return layer
    return None


def classify(frames):
    """frames: class names, top (running) frame first. Returns (layer, index of the deciding frame)."""
    for i, cls in enumerate(frames):
        layer = layer_of(cls)
        if layer is None:
            continue
        if layer == "Netty transport":
            # whose bytes: the driver's if a driver frame is below (its connection), else the HTTP server's
            for below in frames[i + 1:]:
                if layer_of(below) == DRIVER:
                    return DRIVER, i
        return layer, i
    return OTHER, 0


def instant(text):
    """An ISO-8601 UTC time with up to nanoseconds (JFR's, date's %N) as a datetime (microseconds)."""
    text = text.rstrip("Z")
    if "." in text:
        whole, fraction = text.split(".", 1)
        text = whole + "." + (fraction + "000000")[:6]
    return datetime.datetime.fromisoformat(text)


def samples(jfr_file, since=None, until=None):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample",
                          jfr_file], check=True, capture_output=True, text=True).stdout
    for event in json.loads(out)["recording"]["events"]:
        if since or until:
            at = instant(event["values"]["startTime"])
            if (since and at < since) or (until and at > until):
                continue
        trace = event["values"].get("stackTrace") or {}
        frames = []
        for frame in trace.get("frames") or []:
            method = frame.get("method") or {}
            # JFR names some classes in their internal form (a/b/C): one spelling for the prefixes
            cls = (method.get("type") or {}).get("name", "?").replace("/", ".")
            frames.append((cls, method.get("name", "?")))
        yield frames


def thread_kind(name):
    if "CompilerThre" in name:
        return "JIT"
    if name.startswith("JFR") or name.startswith("Jfr"):
        return "JFR"
    if name in ("VM Thread",) or name.startswith("GC Thread") or name.startswith("G1 ") or \
            name in ("VM Periodic Tas", "Service Thread", "Monitor Deflati", "Sweeper thread"):
        return "GC+VM"
    return "Java threads"


def read_tasks(path):
    ticks = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "(" not in line:
                continue
            tid = line.split(" ", 1)[0]
            name = line[line.index("(") + 1:line.rindex(")")]
            rest = line[line.rindex(")") + 2:].split()
            ticks[tid] = (name, int(rest[11]) + int(rest[12]))  # utime, stime: fields 14, 15
    return ticks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    parser.add_argument("--jfr", required=True)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--tasks-before")
    parser.add_argument("--tasks-after")
    parser.add_argument("--cpu-ms", type=float, help="the JVM's CPU per request without JFR (ms): ms/request = share x this")
    parser.add_argument("--hz", type=int, default=os.sysconf("SC_CLK_TCK"))
    parser.add_argument("--since", type=instant, help="count samples from this UTC time on (ISO-8601)")
    parser.add_argument("--until", type=instant, help="and up to this one")
    parser.add_argument("--top", type=int, default=3, help="methods shown per layer")
    args = parser.parse_args()

    counts = collections.Counter()
    methods = collections.defaultdict(collections.Counter)
    unknown = collections.Counter()
    total = 0
    for frames in samples(args.jfr, args.since, args.until):
        if not frames:
            continue
        total += 1
        classes = [cls for cls, _ in frames]
        layer, i = classify(classes)
        counts[layer] += 1
        cls, name = frames[i]
        simple = cls.rsplit(".", 1)[-1].split("$$Lambda", 1)[0]
        methods[layer][simple + "." + name] += 1
        if layer == OTHER:
            for c in classes:
                if not c.startswith(PASS_OVER):
                    unknown[c.rsplit(".", 1)[0]] += 1
                    break
    if total == 0:
        sys.exit(f"{args.jfr}: no execution samples")

    per_kind = {}
    if args.requests and args.tasks_before and args.tasks_after:
        before, after = read_tasks(args.tasks_before), read_tasks(args.tasks_after)
        for tid, (name, t1) in after.items():
            t0 = before.get(tid, (name, 0))[1]
            kind = thread_kind(name)
            per_kind[kind] = per_kind.get(kind, 0) + (t1 - t0) * 1000.0 / args.hz / args.requests
    header = f"layers: {args.label}: {total} execution samples"
    if per_kind:
        header += (f"; the recorded run: {args.requests} requests, JVM CPU {sum(per_kind.values()):.3f} ms/request ("
                   + ", ".join(f"{kind} {ms:.3f}" for kind, ms in sorted(per_kind.items(), key=lambda km: -km[1]))
                   + ")")
    print(header)
    if args.cpu_ms is not None:
        print(f"  ms/request = share x {args.cpu_ms:.3f} ms, the JVM's median CPU per request in the counted runs")
    print(f"  {'layer':38} {'samples':>8} {'share':>7}" + ("   ms/request" if args.cpu_ms is not None else "")
          + "   (where: the deciding frames)")
    for layer, n in counts.most_common():
        share = n * 100.0 / total
        ms = f"   {share * args.cpu_ms / 100:10.3f}" if args.cpu_ms is not None else ""
        top = ", ".join(f"{m} {c * 100.0 / n:.0f}%" for m, c in methods[layer].most_common(args.top))
        print(f"  {layer:38} {n:8d} {share:6.1f}%{ms}   ({top})")
    if unknown:
        print("  unclassified packages (first non-JDK frame): "
              + ", ".join(f"{p} {n}" for p, n in unknown.most_common(6)))


if __name__ == "__main__":
    main()
