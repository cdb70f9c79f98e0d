#!/usr/bin/python3
"""The benchmark driver that scripts/bench starts (after the release build and, when needed, a private PostgreSQL).

It runs the scenarios of issue 9 on the real binaries (kafka-mock, komet-sim, komet-contact-sync run) and the
references (the sequential baseline scripts/bench-baseline.py, a plain consumer's read rate scripts/bench-consume.py,
komet-sim under wrk), and writes every measurement to RUN_DIR/results.json, which scripts/bench-table.py turns into
the table. Per worker run:

- events/s: the outcome records (success + dead-letter topics) divided by the time between the first and the last
  of them (the records' Kafka timestamps);
- CPU ms/event: utime + stime of the worker (/proc/PID/stat) between the last /metrics poll that saw no outcome and
  the first that saw them all (polls every 50 ms), divided by the outcomes;
- peak RSS: VmHWM (/proc/PID/status) when the last outcome was seen; VmRSS is also sampled every second;
- store trips/event: komet_sync_store_round_trips_total over the same window, when /metrics has it.

Every outcome record is checked against its input (one outcome per input record, the expected status or reason, the
expected number of Komet calls): a scenario that did not run as designed fails the benchmark; a missed target never
does. Progress goes to stderr. Exit status 1 when something did not work.
"""

import argparse
import dataclasses
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

from confluent_kafka import Consumer, KafkaError, TopicPartition

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
KB_PER_MB = 1024.0

INPUT_TOPIC = "contacts.created"
SUCCESS_TOPIC = "contacts.komet.succeeded"
DEAD_LETTER_TOPIC = "contacts.komet.dlq"
BASELINE_SUCCESS_TOPIC = "bench.baseline.succeeded"
BASELINE_DEAD_LETTER_TOPIC = "bench.baseline.dlq"
CUSTOMERS = 1000

# The driver's own Kafka clients log errors only (not the disconnects of a mock cluster that was just stopped).
LIBRDKAFKA_LOG_LEVEL = 3
POLL_INTERVAL = 0.05
RSS_INTERVAL = 1.0
FIRST_OUTCOME_TIMEOUT = 120.0
STALL_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0

SCENARIOS = ["created-32", "created-128", "duplicates", "bad", "latency-50ms", "backlog"]
STORE_BOUND = {"created-32", "created-128", "duplicates", "latency-50ms"}
LATENCY_MS = 50
LATENCY_IN_FLIGHT = [1, 64, 256]
# komet.maxConnections as the worker gets it: 0 sizes the HTTP connections with pipeline.maxInFlight.
KOMET_MAX_CONNECTIONS = 0

# Sizes of the full run and of --quick.
SIZES = {
    False: {"events": 30_000, "latency_events": 2_000, "backlog_events": 300_000, "runs": 3, "wrk_seconds": 5},
    True: {"events": 500, "latency_events": 100, "backlog_events": 5_000, "runs": 1, "wrk_seconds": 2},
}


class BenchError(Exception):
    """Something did not work: a process died, outcomes are missing or wrong, a timeout."""


def say(text):
    print(f"==> {text}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def created_prefix(run):
    """The key prefix of run `run`'s created input: the baseline, created-32 (then duplicates) and created-128 on
    each backend all read the same records (same keys, same values), each in a cluster of its own."""
    return f"r{run}-created"


# MARK: processes


class Child:
    """A long-running child process: stderr to LOGS/NAME.stderr.log, stdout to LOGS/NAME.stdout.log; `first_line()`
    returns the first line of stdout (kafka-mock and komet-sim announce their address there)."""

    def __init__(self, name, argv, env, logs):
        self.name = name
        self.stderr_path = os.path.join(logs, f"{name}.stderr.log")
        self.stdout_path = os.path.join(logs, f"{name}.stdout.log")
        self._stderr = open(self.stderr_path, "wb")
        self._first = None
        self._first_seen = threading.Event()
        self.process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=self._stderr)
        self._reader = threading.Thread(target=self._copy_stdout, daemon=True)
        self._reader.start()

    def _copy_stdout(self):
        with open(self.stdout_path, "wb") as log:
            for index, line in enumerate(self.process.stdout):
                if index == 0:
                    self._first = line.decode(errors="replace").strip()
                    self._first_seen.set()
                log.write(line)
                log.flush()
        self._first_seen.set()

    @property
    def pid(self):
        return self.process.pid

    def running(self):
        return self.process.poll() is None

    def first_line(self, timeout=30.0):
        if not self._first_seen.wait(timeout) or self._first is None:
            raise BenchError(f"{self.name} printed no first line within {timeout} s (exit status "
                             f"{self.process.poll()}); see {self.stderr_path}")
        return self._first

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, then SIGKILL after `timeout`; returns the exit status (None when it had to be killed)."""
        if self.running():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self._stderr.close()
                return None
        self._stderr.close()
        return self.process.returncode


class Processes:
    """Every child this driver started, stopped in reverse order by `stop_all()` (also on errors and signals)."""

    def __init__(self, logs):
        self.logs = logs
        self.children = []

    def start(self, name, argv, env=None):
        child = Child(name, argv, dict(os.environ, **(env or {})), self.logs)
        self.children.append(child)
        return child

    def stop(self, child, timeout=STOP_TIMEOUT):
        status = child.stop(timeout)
        if child in self.children:
            self.children.remove(child)
        return status

    def stop_all(self):
        for child in reversed(self.children):
            child.stop(timeout=10)
        self.children.clear()

    def run(self, name, argv, timeout, env=None):
        """Runs a short-lived tool to its end, stderr to LOGS/NAME.stderr.log; returns its stdout."""
        stderr_path = os.path.join(self.logs, f"{name}.stderr.log")
        with open(stderr_path, "wb") as stderr:
            try:
                done = subprocess.run(argv, env=dict(os.environ, **(env or {})), stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=stderr, timeout=timeout)
            except subprocess.TimeoutExpired:
                raise BenchError(f"{name} did not finish within {timeout} s; see {stderr_path}")
        if done.returncode != 0:
            raise BenchError(f"{name} exited with status {done.returncode}; see {stderr_path}")
        return done.stdout.decode()

    def run_json(self, name, argv, timeout, env=None):
        lines = self.run(name, argv, timeout, env).strip().splitlines()
        if not lines:
            raise BenchError(f"{name} printed no result")
        return json.loads(lines[-1])


def proc_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def proc_status_mb(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / KB_PER_MB
    return None


# MARK: the world a scenario runs in


class Stack:
    """One kafka-mock (the three topics with `partitions` partitions, plus the baseline's) and one komet-sim."""

    def __init__(self, bench, name, partitions, latency_ms):
        self.bench = bench
        self.name = name
        self.partitions = partitions
        self.latency_ms = latency_ms
        topics = [INPUT_TOPIC, SUCCESS_TOPIC, DEAD_LETTER_TOPIC, BASELINE_SUCCESS_TOPIC, BASELINE_DEAD_LETTER_TOPIC]
        self.mock = bench.processes.start(
            f"{name}.kafka-mock",
            [bench.binary("kafka-mock"), "--brokers", "1"] + [arg for topic in topics
                                                               for arg in ("--topic", f"{topic}:{partitions}")])
        self.simulator = bench.start_simulator(f"{name}.komet-sim", latency_ms)
        self.bootstrap = self.mock.first_line()
        if not self.bootstrap or " " in self.bootstrap:
            raise BenchError(f"kafka-mock's first line is not a bootstrap server list: {self.bootstrap!r}")
        self.komet_url = bench.simulator_url(self.simulator)
        self._probe = Consumer({"bootstrap.servers": self.bootstrap, "group.id": f"bench-probe-{uuid.uuid4()}",
                                "enable.auto.commit": False, "log_level": LIBRDKAFKA_LOG_LEVEL})

    def high_watermarks(self, topic):
        """{partition: high watermark} of `topic`."""
        marks = {}
        for partition in range(self.partitions):
            _, high = self._probe.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            marks[partition] = high
        return marks

    def produce(self, label, count, kind, prefix, seed):
        """Produces `count` events to the input topic; returns where they start ({partition: offset})."""
        start = self.high_watermarks(INPUT_TOPIC)
        result = self.bench.processes.run_json(
            f"{label}.produce",
            [PYTHON, os.path.join(SCRIPTS, "bench-produce.py"), "--bootstrap", self.bootstrap, "--topic", INPUT_TOPIC,
             "--count", str(count), "--kind", kind, "--prefix", prefix, "--seed", str(seed),
             "--customers", str(CUSTOMERS)],
            timeout=600)
        if result["records"] != count:
            raise BenchError(f"{label}: produced {result['records']} of {count} records")
        return start

    def read_ceiling(self, label, count):
        """The plain consumer's read rate of the input topic (`count` records from the beginning)."""
        return self.bench.processes.run_json(
            f"{label}.read-ceiling",
            [PYTHON, os.path.join(SCRIPTS, "bench-consume.py"), "--bootstrap", self.bootstrap, "--topic",
             INPUT_TOPIC, "--count", str(count)],
            timeout=600)

    def read_outcomes(self, starts):
        """Every outcome record past `starts` ({topic: {partition: offset}}) as (timestamp ms, label, (partition,
        input offset))."""
        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": f"bench-outcomes-{uuid.uuid4()}",
                             "enable.auto.commit": False, "enable.partition.eof": True,
                             "log_level": LIBRDKAFKA_LOG_LEVEL})
        try:
            ends = {topic: self.high_watermarks(topic) for topic in starts}
            assignment = [TopicPartition(topic, partition, start) for topic, marks in starts.items()
                          for partition, start in marks.items() if ends[topic][partition] > start]
            pending = {(tp.topic, tp.partition) for tp in assignment}
            outcomes = []
            if not assignment:
                return outcomes
            consumer.assign(assignment)
            deadline = time.monotonic() + 300
            while pending:
                if time.monotonic() > deadline:
                    raise BenchError(f"{self.name}: outcome records could not be read back within 300 s")
                for message in consumer.consume(num_messages=10000, timeout=1.0):
                    place = (message.topic(), message.partition())
                    if message.error() is not None:
                        if message.error().code() == KafkaError._PARTITION_EOF:
                            pending.discard(place)
                            continue
                        raise BenchError(f"{self.name}: reading outcomes: {message.error()}")
                    if message.offset() >= ends[place[0]][place[1]]:
                        pending.discard(place)
                        continue
                    outcomes.append(self._outcome(message))
                    if message.offset() + 1 >= ends[place[0]][place[1]]:
                        pending.discard(place)
            return outcomes
        finally:
            consumer.close()

    @staticmethod
    def _outcome(message):
        timestamp = message.timestamp()[1]
        if message.topic() == SUCCESS_TOPIC:
            value = json.loads(message.value())
            source = value.get("source", {})
            return timestamp, value.get("status"), (source.get("partition"), source.get("offset"))
        headers = {key: (value or b"").decode(errors="replace") for key, value in (message.headers() or [])}
        source = (int(headers.get("kafka_dlt-original-partition", -1)),
                  int(headers.get("kafka_dlt-original-offset", -1)))
        return timestamp, headers.get("komet-sync.reason"), source

    def close(self):
        self._probe.close()
        self.bench.processes.stop(self.simulator, timeout=10)
        self.bench.processes.stop(self.mock, timeout=10)


@dataclasses.dataclass
class Store:
    backend: str
    sqlite_path: str = None
    database: str = None


@dataclasses.dataclass
class WorkerRun:
    events: int
    events_per_s: float
    cpu_ms_per_event: float
    peak_rss_mb: float
    max_rss_mb: float
    trips_per_event: float
    rss_samples: list
    startup_s: float


# MARK: the bench


class Bench:
    def __init__(self, args):
        self.args = args
        self.sizes = dict(SIZES[args.quick])
        if args.runs:
            self.sizes["runs"] = args.runs
        self.logs = os.path.join(args.run_dir, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.processes = Processes(self.logs)
        self.token = secrets.token_hex(16)
        self.scenarios = args.scenario or SCENARIOS
        self.backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
        self.results = []  # one dict per worker run: scenario, backend, maxInFlight, run, figures
        self.baseline = []  # one dict per run of bench-baseline.py
        self.wrk = []  # one dict per wrk measurement: latency_ms, connections, run, requests_per_s
        self.sequence = 0

    def binary(self, name):
        return os.path.join(self.args.bin_dir, name)

    def label(self, text):
        self.sequence += 1
        return f"{self.sequence:03d}-{text}"

    def start_simulator(self, name, latency_ms):
        return self.processes.start(
            name, [self.binary("komet-sim"), "--host", "127.0.0.1", "--port", "0", "--token", self.token,
                   "--customers", f"1-{CUSTOMERS}", "--types", "None,Buyer,A/P", "--quota", "1000000000",
                   "--latency-ms", str(latency_ms), "--log-level", "warning"])

    @staticmethod
    def simulator_url(simulator):
        line = simulator.first_line()
        if not line.startswith("listening on http://"):
            raise BenchError(f"komet-sim's first line is not `listening on URL`: {line!r}")
        return line[len("listening on "):] + "/api"

    # MARK: stores

    def new_store(self, backend, label):
        if backend == "sqlite":
            stores = os.path.join(self.args.run_dir, "stores")
            os.makedirs(stores, exist_ok=True)
            return Store("sqlite", sqlite_path=os.path.join(stores, f"{label}.sqlite"))
        database = "bench_" + re.sub(r"[^a-z0-9]", "_", label.lower())
        self.processes.run(
            f"{label}.createdb",
            [os.path.join(self.args.pg_bin, "createdb"), "-h", self.args.pg_host, "-p", str(self.args.pg_port),
             "-U", self.args.pg_user, database],
            timeout=60)
        return Store("postgres", database=database)

    def store_settings(self, store):
        if store.backend == "sqlite":
            return {"dedupe": {"backend": "sqlite", "sqlitePath": store.sqlite_path}}
        return {
            "dedupe": {"backend": "postgres"},
            "postgres": {"host": self.args.pg_host, "port": self.args.pg_port, "database": store.database,
                         "user": self.args.pg_user, "tls": "disable"},
        }

    # MARK: the worker

    def run_worker(self, stack, label, store, group, max_in_flight, inputs_from, expected_count, expected_labels,
                   expect_calls):
        """Runs the worker until `expected_count` new outcomes, stops it (SIGTERM) and checks that the input records
        from `inputs_from` ({partition: offset}) on each got exactly one outcome of `expected_labels`."""
        http_port = free_port()
        settings = {
            "kafka": {"bootstrap.servers": stack.bootstrap, "group.id": group, "session.timeout.ms": "6000",
                      "heartbeat.interval.ms": "1000"},
            "topics": {"input": INPUT_TOPIC, "success": SUCCESS_TOPIC, "deadLetter": DEAD_LETTER_TOPIC},
            "komet": {"baseURL": stack.komet_url, "dailyQuota": "100000000",
                      "maxConnections": KOMET_MAX_CONNECTIONS},
            "mapping": {"defaultContactType": "Buyer", "registeredContactTypes": "None,Buyer,A/P"},
            "pipeline": {"maxInFlight": max_in_flight},
            "http": {"host": "127.0.0.1", "port": http_port},
            "log": {"level": "info", "format": "json"},
        }
        for section, values in self.store_settings(store).items():
            settings.setdefault(section, {}).update(values)
        configs = os.path.join(self.args.run_dir, "configs")
        os.makedirs(configs, exist_ok=True)
        config_path = os.path.join(configs, f"{label}.json")
        with open(config_path, "w") as config:
            json.dump(settings, config, indent=2, sort_keys=True)

        starts = {SUCCESS_TOPIC: stack.high_watermarks(SUCCESS_TOPIC),
                  DEAD_LETTER_TOPIC: stack.high_watermarks(DEAD_LETTER_TOPIC)}
        env = {"KOMET_TOKEN": self.token}
        if store.backend == "postgres":
            env["PGPASSWORD"] = os.environ["PGPASSWORD"]
        worker = self.processes.start(f"{label}.worker", [self.binary("komet-contact-sync"), "run", "--config",
                                                          config_path], env)
        started = time.monotonic()
        metrics = MetricsPoller(http_port)
        samples = []  # (time, outcomes, cpu seconds, store trips or None), kept in SAMPLES/LABEL.json
        rss = []  # (time, VmRSS MB)
        before = None  # the last sample without an outcome
        done = None  # the first sample with every outcome
        last_progress = (started, 0)
        next_rss = started
        scraped = {}
        try:
            while done is None:
                now = time.monotonic()
                if not worker.running():
                    raise BenchError(f"{label}: the worker exited with status {worker.process.returncode} before "
                                     f"its {expected_count} outcomes; see {worker.stderr_path}")
                scraped = metrics.scrape()
                if scraped is not None:
                    count = scraped["outcomes"]
                    sample = (now, count, proc_cpu_seconds(worker.pid), scraped["trips"])
                    samples.append(sample)
                    if count == 0:
                        before = sample
                    elif count >= expected_count:
                        done = sample
                    if count > last_progress[1]:
                        last_progress = (now, count)
                if now >= next_rss:
                    rss.append((now, proc_status_mb(worker.pid, "VmRSS")))
                    next_rss += RSS_INTERVAL
                waited = now - last_progress[0]
                if last_progress[1] == 0 and waited > FIRST_OUTCOME_TIMEOUT:
                    raise BenchError(f"{label}: no outcome within {FIRST_OUTCOME_TIMEOUT:.0f} s of the worker's "
                                     f"start; see {worker.stderr_path}")
                if last_progress[1] > 0 and waited > STALL_TIMEOUT:
                    raise BenchError(f"{label}: stuck at {last_progress[1]} of {expected_count} outcomes for "
                                     f"{STALL_TIMEOUT:.0f} s; see {worker.stderr_path}")
                time.sleep(POLL_INTERVAL)
            peak_rss = proc_status_mb(worker.pid, "VmHWM")
            rss.append((time.monotonic(), proc_status_mb(worker.pid, "VmRSS")))
        finally:
            metrics.close()
        status = self.processes.stop(worker)
        if status != 0:
            raise BenchError(f"{label}: the worker exited with status {status} after SIGTERM (expected 0); see "
                             f"{worker.stderr_path}")

        samples_path = os.path.join(self.args.run_dir, "samples", f"{label}.json")
        os.makedirs(os.path.dirname(samples_path), exist_ok=True)
        with open(samples_path, "w") as dump:
            json.dump({"started": started, "metrics": samples, "rss": rss}, dump)

        outcomes = stack.read_outcomes(starts)
        self.check_outcomes(label, stack, inputs_from, outcomes, expected_count, expected_labels, scraped,
                            expect_calls, worker.stderr_path)
        timestamps = [timestamp for timestamp, _, _ in outcomes]
        window = (max(timestamps) - min(timestamps)) / 1000.0
        if before is None:
            before = (started, 0, 0.0, None)
        events = done[1]
        trips = None
        if done[3] is not None and before[3] is not None:
            trips = (done[3] - before[3]) / events
        elif done[3] is not None:
            trips = done[3] / events
        return WorkerRun(
            events=events,
            events_per_s=expected_count / window if window > 0 else None,
            cpu_ms_per_event=(done[2] - before[2]) * 1000.0 / events,
            peak_rss_mb=peak_rss,
            max_rss_mb=max(mb for _, mb in rss if mb is not None),
            trips_per_event=trips,
            rss_samples=rss,
            startup_s=before[0] - started,
        )

    def check_outcomes(self, label, stack, input_start, outcomes, expected_count, expected_labels, scraped,
                       expect_calls, log):
        input_end = stack.high_watermarks(INPUT_TOPIC)
        inputs = {(partition, offset) for partition in input_end
                  for offset in range(input_start[partition], input_end[partition])}
        sources = [source for _, _, source in outcomes]
        problems = []
        if len(inputs) != expected_count:
            problems.append(f"{len(inputs)} new input records, expected {expected_count}")
        missing = inputs - set(sources)
        if missing:
            problems.append(f"{len(missing)} input records without an outcome (e.g. {sorted(missing)[:3]})")
        extra = len(sources) - len(set(sources))
        if extra:
            problems.append(f"{extra} second outcomes for one input record")
        strangers = set(sources) - inputs
        if strangers:
            problems.append(f"{len(strangers)} outcomes for records outside this run (e.g. {sorted(strangers)[:3]})")
        labels = {}
        for _, outcome_label, _ in outcomes:
            labels[outcome_label] = labels.get(outcome_label, 0) + 1
        unexpected = {name: count for name, count in labels.items() if name not in expected_labels}
        if unexpected:
            problems.append(f"unexpected outcomes {unexpected} (expected only {sorted(expected_labels)})")
        calls = scraped.get("calls")
        if expect_calls is not None and calls is not None and calls != expect_calls:
            problems.append(f"{calls} Komet calls, expected {expect_calls}")
        if problems:
            raise BenchError(f"{label}: " + "; ".join(problems) + f"; worker log {log}")

    # MARK: scenarios

    def record(self, scenario, backend, max_in_flight, run, result, read):
        self.results.append(dict(dataclasses.asdict(result), scenario=scenario, backend=backend,
                                 max_in_flight=max_in_flight, run=run, read_ceiling=read["events_per_s"]))
        trips = "n/a" if result.trips_per_event is None else f"{result.trips_per_event:.2f}"
        say(f"   {scenario} {backend} maxInFlight {max_in_flight}: {result.events_per_s:,.1f} events/s, "
            f"{result.cpu_ms_per_event:.3f} ms CPU/event, peak RSS {result.peak_rss_mb:.0f} MB, store trips/event "
            f"{trips}, first outcome {result.startup_s:.1f} s after start")

    def created_and_duplicates(self, run, backend):
        events = self.sizes["events"]
        want_created = "created-32" in self.scenarios
        want_duplicates = "duplicates" in self.scenarios
        if not (want_created or want_duplicates):
            return
        name = self.label(f"r{run}-created-32-{backend}")
        say(f"run {run}: created-32 on {backend}" + (" (then duplicates)" if want_duplicates else ""))
        stack = Stack(self, name, partitions=16, latency_ms=0)
        try:
            prefix = created_prefix(run)
            inputs_from = stack.produce(name, events, "valid", prefix, seed=run)
            store = self.new_store(backend, name)
            group = f"bench-{name}"
            created = self.run_worker(stack, name, store, group, 32, inputs_from, events, {"created"},
                                      expect_calls=events)
            read = stack.read_ceiling(name, events)
            if want_created:
                self.record("created-32", backend, 32, run, created, read)
            if want_duplicates:
                name = self.label(f"r{run}-duplicates-{backend}")
                say(f"run {run}: duplicates on {backend} (the same {events} keys, the store the created run left)")
                inputs_from = stack.produce(name, events, "valid", prefix, seed=run)
                duplicates = self.run_worker(stack, name, store, group, 32, inputs_from, events, {"duplicate"},
                                             expect_calls=0)
                self.record("duplicates", backend, 32, run, duplicates, stack.read_ceiling(name, events))
        finally:
            stack.close()

    def created_128(self, run, backend):
        if "created-128" not in self.scenarios:
            return
        events = self.sizes["events"]
        name = self.label(f"r{run}-created-128-{backend}")
        say(f"run {run}: created-128 on {backend}")
        stack = Stack(self, name, partitions=16, latency_ms=0)
        try:
            inputs_from = stack.produce(name, events, "valid", created_prefix(run), seed=run)
            result = self.run_worker(stack, name, self.new_store(backend, name), f"bench-{name}", 128, inputs_from,
                                     events, {"created"}, expect_calls=events)
            self.record("created-128", backend, 128, run, result, stack.read_ceiling(name, events))
        finally:
            stack.close()

    def latency(self, run, backend):
        if "latency-50ms" not in self.scenarios:
            return
        events = self.sizes["latency_events"]
        for max_in_flight in LATENCY_IN_FLIGHT:
            name = self.label(f"r{run}-latency-{max_in_flight}-{backend}")
            say(f"run {run}: latency-50ms maxInFlight {max_in_flight} on {backend} ({events} keys, 1 partition)")
            stack = Stack(self, name, partitions=1, latency_ms=LATENCY_MS)
            try:
                inputs_from = stack.produce(name, events, "valid", f"r{run}-{backend}-l{max_in_flight}", seed=run)
                result = self.run_worker(stack, name, self.new_store(backend, name), f"bench-{name}",
                                         max_in_flight, inputs_from, events, {"created"}, expect_calls=events)
                self.record("latency-50ms", backend, max_in_flight, run, result,
                            stack.read_ceiling(name, events))
            finally:
                stack.close()

    def bad(self, run):
        if "bad" not in self.scenarios:
            return
        events = self.sizes["events"]
        name = self.label(f"r{run}-bad-sqlite")
        say(f"run {run}: bad events on sqlite ({events}, mixed kinds)")
        reasons = set(json.loads(subprocess.run([PYTHON, os.path.join(SCRIPTS, "bench-produce.py"),
                                                 "--print-reasons"], check=True, stdout=subprocess.PIPE).stdout))
        stack = Stack(self, name, partitions=16, latency_ms=0)
        try:
            inputs_from = stack.produce(name, events, "bad", f"r{run}-bad", seed=run)
            result = self.run_worker(stack, name, self.new_store("sqlite", name), f"bench-{name}", 32, inputs_from,
                                     events, reasons, expect_calls=0)
            self.record("bad", "sqlite", 32, run, result, stack.read_ceiling(name, events))
        finally:
            stack.close()

    def backlog(self, run):
        if "backlog" not in self.scenarios:
            return
        events = self.sizes["backlog_events"]
        name = self.label(f"r{run}-backlog-sqlite")
        say(f"run {run}: backlog of {events} events, 32 partitions, on sqlite")
        stack = Stack(self, name, partitions=32, latency_ms=0)
        try:
            inputs_from = stack.produce(name, events, "valid", f"r{run}-backlog", seed=run)
            result = self.run_worker(stack, name, self.new_store("sqlite", name), f"bench-{name}", 32, inputs_from,
                                     events, {"created"}, expect_calls=events)
            self.record("backlog", "sqlite", 32, run, result, stack.read_ceiling(name, events))
        finally:
            stack.close()

    def references(self, run):
        """The baseline on the created scenarios' input (the same records, 16 partitions, zero latency) and komet-sim
        under wrk."""
        events = self.sizes["events"]
        name = self.label(f"r{run}-baseline")
        say(f"run {run}: baseline (scripts/bench-baseline.py) on {events} created events")
        stack = Stack(self, name, partitions=16, latency_ms=0)
        try:
            stack.produce(name, events, "valid", created_prefix(run), seed=run)
            result = self.processes.run_json(
                f"{name}.baseline",
                [PYTHON, os.path.join(SCRIPTS, "bench-baseline.py"), "--bootstrap", stack.bootstrap, "--topic",
                 INPUT_TOPIC, "--success-topic", BASELINE_SUCCESS_TOPIC, "--dead-letter-topic",
                 BASELINE_DEAD_LETTER_TOPIC, "--group", f"bench-{name}", "--komet-url", stack.komet_url,
                 "--count", str(events)],
                timeout=1800, env={"KOMET_TOKEN": self.token})
            if result["created"] != events:
                raise BenchError(f"{name}: the baseline created {result['created']} of {events} contacts")
            self.baseline.append(dict(result, run=run, read_ceiling=stack.read_ceiling(name, events)["events_per_s"]))
            say(f"   baseline: {result['events_per_s']:,.1f} events/s, {result['cpu_ms_per_event']:.3f} ms CPU/event")
        finally:
            stack.close()
        for latency_ms, connections in self.wrk_points():
            self.measure_wrk(run, latency_ms, connections)

    def wrk_points(self):
        points = {(0, 8), (0, 32)}
        if "created-128" in self.scenarios:
            points.add((0, 128))
        if "latency-50ms" in self.scenarios:
            points.update((LATENCY_MS, connections) for connections in LATENCY_IN_FLIGHT)
        return sorted(points)

    def measure_wrk(self, run, latency_ms, connections):
        name = self.label(f"r{run}-wrk-{latency_ms}ms-c{connections}")
        simulator = self.start_simulator(f"{name}.komet-sim", latency_ms)
        try:
            url = self.simulator_url(simulator) + "/customer.contact.add"
            body = json.dumps({"authenticationToken": self.token, "customerId": 1, "name": "Ana Garcia",
                               "type": "Buyer", "email": "wrk@example.com", "phone": "555-0100"})
            check_simulator_accepts(url, body)
            script = os.path.join(self.args.run_dir, "wrk-post.lua")
            with open(script, "w") as lua:
                lua.write('wrk.method = "POST"\n'
                          'wrk.headers["Content-Type"] = "application/json"\n'
                          f"wrk.body = {json.dumps(body)}\n")
            output = self.processes.run(
                name, ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d",
                       f"{self.sizes['wrk_seconds']}s", "--timeout", "10s", "-s", script, url],
                timeout=self.sizes["wrk_seconds"] + 60)
            with open(os.path.join(self.logs, f"{name}.stdout.log"), "w") as log:
                log.write(output)
            rate = re.search(r"Requests/sec:\s+([0-9.]+)", output)
            failures = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
            errors = re.search(r"Socket errors:.*", output)
            if rate is None or float(rate.group(1)) == 0:
                raise BenchError(f"{name}: wrk measured no request; see {self.logs}/{name}.stdout.log")
            if failures is not None:
                raise BenchError(f"{name}: {failures.group(1)} non-2xx answers under wrk")
            self.wrk.append({"latency_ms": latency_ms, "connections": connections, "run": run,
                             "requests_per_s": float(rate.group(1))})
            say(f"   komet-sim {latency_ms} ms under wrk at {connections} connections: "
                f"{float(rate.group(1)):,.0f} req/s" + (f" ({errors.group(0)})" if errors else ""))
        finally:
            self.processes.stop(simulator, timeout=10)

    def run(self):
        runs = self.sizes["runs"]
        for run in range(1, runs + 1):
            self.references(run)
            for backend in self.backends:
                self.created_and_duplicates(run, backend)
                self.created_128(run, backend)
                self.latency(run, backend)
            self.bad(run)
            self.backlog(run)


# MARK: /metrics


class MetricsPoller:
    """Scrapes the worker's /metrics over one kept-alive connection."""

    LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")

    def __init__(self, port):
        self.port = port
        self.connection = None

    def scrape(self):
        """{"outcomes": n, "calls": n or None, "trips": n or None}, or None while the server does not answer."""
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            self.connection.request("GET", "/metrics")
            response = self.connection.getresponse()
            text = response.read().decode()
            if response.status != 200:
                return None
        except (OSError, http.client.HTTPException):
            self.close()
            return None
        totals = {}
        for line in text.splitlines():
            match = self.LINE.match(line)
            if match:
                totals[match.group(1)] = totals.get(match.group(1), 0.0) + float(match.group(3))
        return {
            "outcomes": int(totals.get("komet_sync_outcomes_total", 0)),
            "calls": int(totals["komet_sync_komet_calls_total"]) if "komet_sync_komet_calls_total" in totals else None,
            "trips": totals.get("komet_sync_store_round_trips_total"),
        }

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def check_simulator_accepts(url, body):
    """One POST of wrk's body: the simulator must create a contact (status 1), or wrk would measure refusals."""
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("POST", "/api/customer.contact.add", body=body, headers={"Content-Type": "application/json"})
        answer = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    if answer.get("status") != 1:
        raise BenchError(f"komet-sim refuses wrk's request: {answer}")


def loadavg():
    with open("/proc/loadavg") as load:
        return " ".join(load.read().split()[:3])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", required=True, help="folder of the release binaries")
    parser.add_argument("--run-dir", required=True, help="folder for logs, configurations and stores")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run")
    parser.add_argument("--scenario", action="extend", nargs="+", choices=SCENARIOS, help="scenarios to run")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, help="runs per configuration (default 3, 1 with --quick)")
    parser.add_argument("--commit", default="unknown", help="the git commit benchmarked, for the table")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int)
    parser.add_argument("--pg-user")
    parser.add_argument("--pg-bin", help="folder of PostgreSQL's createdb")
    args = parser.parse_args()
    needs_postgres = args.backend != "sqlite" and STORE_BOUND & set(args.scenario or SCENARIOS)
    if needs_postgres and not (args.pg_port and args.pg_user and args.pg_bin and os.environ.get("PGPASSWORD")):
        parser.error("PostgreSQL runs need --pg-port, --pg-user, --pg-bin and PGPASSWORD")

    def terminated(number, _frame):
        raise SystemExit(128 + number)

    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGINT, terminated)
    bench = Bench(args)
    load_start = loadavg()
    started_at = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    try:
        bench.run()
    except BenchError as error:
        print(f"bench: FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        bench.processes.stop_all()
    results = {
        "mode": "quick" if args.quick else "full",
        "commit": args.commit,
        "started_at": started_at,
        "load_average_start": load_start,
        "load_average_end": loadavg(),
        "sizes": bench.sizes,
        "backends": bench.backends,
        "scenarios": bench.scenarios,
        "settings": {"latency_ms": LATENCY_MS, "komet_max_connections": KOMET_MAX_CONNECTIONS,
                     "poll_interval_s": POLL_INTERVAL, "rss_interval_s": RSS_INTERVAL},
        "results": bench.results,
        "baseline": bench.baseline,
        "wrk": bench.wrk,
    }
    path = os.path.join(args.run_dir, "results.json")
    with open(path, "w") as output:
        json.dump(results, output, indent=1)
    say(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
