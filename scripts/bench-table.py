#!/usr/bin/python3
"""Prints the benchmark's table from the RESULTS.json that scripts/bench-run.py wrote: per configuration the median
over its runs of events/s, CPU ms/event, peak RSS and store round trips per event, the ratios to the baseline and to
the ceiling, and issue 9's targets marked met or NOT MET; then the references (baseline, read ceiling, komet-sim under
wrk), the load averages and the commit. Every figure comes from the file; nothing is assumed.
"""

import argparse
import json
import statistics
import sys

# Issue 9's targets.
CREATED_CPU_MS = 0.25
CREATED_VERSUS_BASELINE = 3.0
CHEAP_CPU_MS = 0.05
CHEAP_RATE = 15_000
SPEEDUP_SHARE = 0.9
SPEEDUP_AT = 64
BACKLOG_PEAK_MB = 128
# "Flat": VmRSS rises by at most this much over the last minute (least-squares slope), judged on runs that sampled
# at least a minute and a half, so that the minute is past the warm-up.
FLAT_RISE_MB = 5.0
FLAT_MIN_SPAN_S = 90.0

CALLING = {"created-32", "created-128", "latency-50ms", "backlog"}


def median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def fmt_rate(value):
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def fmt_ms(value):
    return "-" if value is None else f"{value:.3f}"


def fmt_ratio(value):
    if value is None:
        return "-"
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.3f}x"


def verdict(ok):
    return "met" if ok else "NOT MET"


def rss_rise(samples):
    """(MB per minute over the last minute, seconds sampled in all)."""
    samples = [(t, mb) for t, mb in samples if mb is not None]
    span = samples[-1][0] - samples[0][0]
    window = [(t, mb) for t, mb in samples if t >= samples[-1][0] - 60.0]
    if len(window) < 2:
        return 0.0, span
    mean_t = sum(t for t, _ in window) / len(window)
    mean_mb = sum(mb for _, mb in window) / len(window)
    spread = sum((t - mean_t) ** 2 for t, _ in window)
    slope = sum((t - mean_t) * (mb - mean_mb) for t, mb in window) / spread if spread else 0.0
    return slope * 60.0, span


def rss_profile(samples):
    values = [mb for _, mb in samples if mb is not None]
    points = [values[round(fraction * (len(values) - 1))] for fraction in (0.0, 0.25, 0.5, 0.75, 1.0)]
    return "/".join(f"{mb:.0f}" for mb in points)


class Table:
    def __init__(self, data):
        self.data = data
        self.settings = data["settings"]
        self.baseline_rate = median([run["events_per_s"] for run in data["baseline"]])
        self.baseline_cpu = median([run["cpu_ms_per_event"] for run in data["baseline"]])
        self.wrk = {}
        for point in data["wrk"]:
            self.wrk.setdefault((point["latency_ms"], point["connections"]), []).append(point["requests_per_s"])
        self.wrk = {point: median(rates) for point, rates in self.wrk.items()}
        self.groups = {}
        for run in data["results"]:
            self.groups.setdefault((run["scenario"], run["backend"], run["max_in_flight"]), []).append(run)
        self.rows = []
        self.notes = []

    def figure(self, runs, name):
        return median([run[name] for run in runs])

    def connections(self, max_in_flight):
        """The HTTP connections to Komet the worker gets: komet.maxConnections, or maxInFlight when 0."""
        return min(max_in_flight, self.settings["komet_max_connections"] or max_in_flight)

    def add(self, label, key, target):
        scenario, backend, max_in_flight = key
        runs = self.groups[key]
        rate = self.figure(runs, "events_per_s")
        read = self.figure(runs, "read_ceiling")
        ceiling, source = read, "read"
        if scenario in CALLING:
            latency = self.settings["latency_ms"] if scenario == "latency-50ms" else 0
            point = (latency, self.connections(max_in_flight))
            if self.wrk.get(point) is not None and (ceiling is None or self.wrk[point] < ceiling):
                ceiling, source = self.wrk[point], f"wrk@{point[1]}"
        versus_baseline = scenario != "latency-50ms" and rate and self.baseline_rate
        self.rows.append([
            label, backend, fmt_rate(rate), fmt_ms(self.figure(runs, "cpu_ms_per_event")),
            f"{self.figure(runs, 'peak_rss_mb'):.0f}",
            "n/a" if self.figure(runs, "trips_per_event") is None else f"{self.figure(runs, 'trips_per_event'):.2f}",
            fmt_ratio(rate / self.baseline_rate) if versus_baseline else "-",
            f"{fmt_rate(ceiling)} {source}" if ceiling else "-",
            fmt_ratio(rate / ceiling if rate and ceiling else None),
            target(runs, rate),
        ])

    def build(self):
        backends = self.data["backends"]
        for scenario in ("created-32", "created-128"):
            for backend in backends:
                key = (scenario, backend, 32 if scenario == "created-32" else 128)
                if key in self.groups:
                    self.add(scenario, key, self.created_target if backend == "sqlite" else self.beside_sqlite)
        for backend in backends:
            if ("duplicates", backend, 32) in self.groups:
                self.add("duplicates", ("duplicates", backend, 32), self.cheap_target)
        if ("bad", "sqlite", 32) in self.groups:
            self.add("bad", ("bad", "sqlite", 32), self.cheap_target)
        for backend in backends:
            single = self.figure(self.groups.get(("latency-50ms", backend, 1), []), "events_per_s")
            for max_in_flight in sorted(key[2] for key in self.groups if key[:2] == ("latency-50ms", backend)):
                self.add(f"latency-50ms mif={max_in_flight}", ("latency-50ms", backend, max_in_flight),
                         self.latency_target(max_in_flight, single))
        if ("backlog", "sqlite", 32) in self.groups:
            self.add("backlog", ("backlog", "sqlite", 32), self.backlog_target)

        reads = [run["read_ceiling"] for run in self.data["baseline"]]
        self.rows.append(["baseline (python)", "-", fmt_rate(self.baseline_rate), fmt_ms(self.baseline_cpu), "-",
                          "-", "1.00x" if self.baseline_rate else "-",
                          f"{fmt_rate(median(reads))} read" if median(reads) else "-", "-",
                          "sequential: consume, keep-alive POST, produce, commit per batch"])
        for (latency, connections), rate in sorted(self.wrk.items()):
            self.rows.append([f"komet-sim {latency} ms, wrk", f"c={connections}", fmt_rate(rate), "-", "-", "-", "-",
                              "-", "-", "ceiling: the simulator alone"])

    # MARK: targets

    def created_target(self, runs, rate):
        cpu = self.figure(runs, "cpu_ms_per_event")
        ratio = rate / self.baseline_rate if rate and self.baseline_rate else 0
        return (f"CPU <= {CREATED_CPU_MS} ms: {verdict(cpu <= CREATED_CPU_MS)}; >= {CREATED_VERSUS_BASELINE:.0f}x "
                f"baseline: {verdict(ratio >= CREATED_VERSUS_BASELINE)}")

    @staticmethod
    def beside_sqlite(runs, rate):
        return "(figures beside SQLite's)"

    def cheap_target(self, runs, rate):
        cpu = self.figure(runs, "cpu_ms_per_event")
        return (f"CPU <= {CHEAP_CPU_MS} ms: {verdict(cpu <= CHEAP_CPU_MS)}; >= {CHEAP_RATE:,}/s: "
                f"{verdict(rate is not None and rate >= CHEAP_RATE)}")

    def latency_target(self, max_in_flight, single):
        latency = self.settings["latency_ms"]

        def target(runs, rate):
            if max_in_flight == 1:
                return f"reference of the speed-up (1 call at a time: {1000 / latency:.0f}/s at most)"
            speedup = rate / single if rate and single else None
            text = "speed-up -" if speedup is None else f"speed-up {speedup:.1f}x"
            if max_in_flight == SPEEDUP_AT:
                wanted = SPEEDUP_SHARE * max_in_flight
                return text + f" (>= {wanted:.1f}x: {verdict(speedup is not None and speedup >= wanted)})"
            connections = self.connections(max_in_flight)
            limit = min(max_in_flight, connections) * 1000.0 / latency
            simulator = self.wrk.get((latency, connections))
            bound = min(limit, simulator) if simulator else limit
            return (text + f"; settings limit min(maxInFlight {max_in_flight}, connections {connections}) / "
                    f"{latency} ms = {limit:,.0f}/s, measured {rate / limit:.2f} of it (>= {SPEEDUP_SHARE} x "
                    f"min(limit, wrk@{connections}) = {SPEEDUP_SHARE * bound:,.0f}/s: "
                    f"{verdict(rate >= SPEEDUP_SHARE * bound)})")

        return target

    def backlog_target(self, runs, rate):
        peak = self.figure(runs, "peak_rss_mb")
        rises = [rss_rise(run["rss_samples"]) for run in runs]
        rise = max(rise for rise, _ in rises)
        span = min(span for _, span in rises)
        self.notes.append(
            "backlog VmRSS MB at 0/25/50/75/100% of each run's samples (every "
            f"{self.settings['rss_interval_s']:.0f} s): " + "; ".join(rss_profile(run["rss_samples"]) for run in runs)
            + f"; max VmRSS {max(run['max_rss_mb'] for run in runs):.0f} MB; last-minute trend per run: "
            + ", ".join(f"{rise:+.1f} MB/min" for rise, _ in rises))
        if span < FLAT_MIN_SPAN_S:
            flat = f"flat: not judged (sampled {span:.0f} s, < {FLAT_MIN_SPAN_S:.0f} s)"
        else:
            flat = f"flat (last minute {rise:+.1f} MB/min, <= {FLAT_RISE_MB:.0f}): {verdict(rise <= FLAT_RISE_MB)}"
        return f"peak <= {BACKLOG_PEAK_MB} MB: {verdict(peak <= BACKLOG_PEAK_MB)}; {flat}"

    # MARK: output

    def render(self):
        header = ["scenario", "backend", "events/s", "CPU ms/event", "peak RSS MB", "store trips/event",
                  "x baseline", "ceiling/s", "x ceiling", "issue 9 target"]
        widths = [max(len(str(row[i])) for row in self.rows + [header]) for i in range(len(header))]
        numeric = {2, 3, 4, 5, 6, 7, 8}

        def line(cells):
            return "| " + " | ".join(str(cell).rjust(widths[i]) if i in numeric else str(cell).ljust(widths[i])
                                     for i, cell in enumerate(cells)) + " |"

        data = self.data
        sizes = data["sizes"]
        runs = sizes["runs"]
        out = [
            f"komet-contact-sync benchmark ({data['mode']}: medians of {runs} run{'s' if runs > 1 else ''}), "
            f"commit {data['commit']}, started {data['started_at']}",
            "",
            line(header),
            "|" + "|".join("-" * (width + 2) for width in widths) + "|",
        ]
        out += [line(row) for row in self.rows]
        out += [
            "",
            f"load average at start: {data['load_average_start']}",
            f"load average at end:   {data['load_average_end']}",
            f"sizes: {sizes['events']:,} events (created, duplicates, bad, baseline), {sizes['latency_events']:,} "
            f"keys (latency, 1 partition), {sizes['backlog_events']:,} (backlog, 32 partitions); wrk "
            f"{sizes['wrk_seconds']} s per point",
            "events/s: outcomes / (last outcome - first outcome), from the outcome records' Kafka timestamps (the "
            "baseline: first record to last commit). CPU ms/event: the process's utime+stime over that work (the "
            f"worker: from the last /metrics poll without an outcome to the first with all, polls every "
            f"{data['settings']['poll_interval_s'] * 1000:.0f} ms). peak RSS: VmHWM. ceiling: the lower of a plain "
            "consumer's read rate of the same topic (read) and, for scenarios that call Komet, komet-sim alone "
            "under wrk at the worker's connection count (wrk@N).",
        ]
        out += self.notes
        return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", help="the results.json of a run")
    args = parser.parse_args()
    with open(args.results) as results:
        table = Table(json.load(results))
    table.build()
    print(table.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
