#!/usr/bin/python3
"""The read ceiling: a plain confluent_kafka consumer that reads COUNT records of a topic from the beginning and does
nothing with them (no decoding, no commit). Its rate is the most any consumer of that topic could reach here.

Every partition is assigned directly (no group join), and the rate is COUNT over the time from the assignment to the
last record (consume() is called with a 10 ms timeout, so a short last batch is not waited for).

Prints one JSON object on stdout: {"records": N, "seconds": S, "events_per_s": R, "cpu_ms_per_event": C}, CPU
(utime + stime of this process, /proc/self/stat) over the same window.
"""

import argparse
import json
import os
import sys
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
BATCH = 1000


def cpu_seconds():
    """utime + stime of this process (every thread), from /proc/self/stat."""
    with open("/proc/self/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--topic", required=True, help="topic to read")
    parser.add_argument("--count", type=int, required=True, help="records to read")
    parser.add_argument("--timeout", type=float, default=120, help="give up after this many seconds")
    args = parser.parse_args()

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": f"bench-read-ceiling-{uuid.uuid4()}",
        "enable.auto.commit": False,
    })
    partitions = consumer.list_topics(args.topic, timeout=10).topics[args.topic].partitions
    started, started_cpu = time.monotonic(), cpu_seconds()
    consumer.assign([TopicPartition(args.topic, partition, OFFSET_BEGINNING) for partition in partitions])
    deadline = started + args.timeout
    read = 0
    try:
        while read < args.count:
            if time.monotonic() > deadline:
                print(f"bench-consume: read {read} of {args.count} records in {args.timeout} s", file=sys.stderr)
                return 1
            batch = consumer.consume(num_messages=BATCH, timeout=0.01)
            for message in batch:
                if message.error() is not None and message.error().code() != KafkaError._PARTITION_EOF:
                    print(f"bench-consume: {message.error()}", file=sys.stderr)
                    return 1
            read += len(batch)
        seconds = time.monotonic() - started
        cpu = cpu_seconds() - started_cpu
    finally:
        consumer.close()
    print(json.dumps({
        "records": read,
        "seconds": round(seconds, 4),
        "events_per_s": round(read / seconds, 1),
        "cpu_ms_per_event": round(cpu * 1000 / read, 4),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
