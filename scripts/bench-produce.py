#!/usr/bin/python3
"""Loads benchmark input into a Kafka topic as fast as the producer allows, before the worker starts.

Events are CustomerContactAdd JSON objects (the shape Tests/EndToEndTests/EventPlan.swift produces), keyed
`PREFIX-NNNNNN`. The same --prefix and --seed give the same keys and values again, which is how the duplicates
scenario re-sends the created scenario's events. Bad events rotate through kinds the worker must dead-letter
without a Komet call; --print-reasons lists the dead-letter reason each kind gets.

Prints one JSON object on stdout: {"records": N, "seconds": S}.
"""

import argparse
import json
import random
import sys
import time

from confluent_kafka import Producer

FIRST_NAMES = ["Ana", "Luis", "Maria", "John", "Wei", "Fatima", "Olga", "Kwame", "Sofia", "Raj"]
LAST_NAMES = ["Garcia", "Smith", "Chen", "Okafor", "Novak", "Silva", "Khan", "Muller", "Rossi"]
SALUTATIONS = ["", "Mr.", "Ms.", "Dr."]
TITLES = ["", "Purchasing", "Accounts Payable", "Owner", "Floral buyer"]

# Bad kinds, in rotation, and the `komet-sync.reason` (and /metrics outcome label) of their dead letters.
BAD_REASONS = {
    "invalid_json": "invalid_json",
    "missing_customer_id": "missing_customer_id",
    "invalid_phone_type": "invalid_phone_type",
    "empty_name": "empty_name",
}


def phone(rng, phone_type):
    extension = f" x{rng.randint(10, 999)}" if rng.randrange(4) == 0 else ""
    return {"Number": f"555-{rng.randrange(10000):04d}{extension}", "PhoneNumberID": rng.randint(1, 99999),
            "Type": phone_type}


def valid_event(rng, prefix, index, customers):
    return {
        "Contact": {
            "Email": f"{prefix}-{index}@example.com".lower(),
            "FirstName": rng.choice(FIRST_NAMES),
            "LastName": rng.choice(LAST_NAMES),
            "Salutation": rng.choice(SALUTATIONS),
            "Title": rng.choice(TITLES),
            "PhoneNumbers": [phone(rng, rng.choice([1, 2, 3, 6])) for _ in range(rng.randint(0, 3))],
        },
        "CustomerID": rng.randint(1, customers),
        "IsPrimary": rng.random() < 0.5,
    }


def event_value(rng, kind, prefix, index, customers):
    """The record value (bytes) of one event of `kind` (`valid` or a key of BAD_REASONS)."""
    if kind == "invalid_json":
        return b'{"Contact":{"FirstName":"Broken","LastName":'
    event = valid_event(rng, prefix, index, customers)
    if kind == "missing_customer_id":
        del event["CustomerID"]
    elif kind == "invalid_phone_type":
        event["Contact"]["PhoneNumbers"] = [phone(rng, 1), phone(rng, 9)]
    elif kind == "empty_name":
        event["Contact"].update(FirstName="", LastName="  ", Salutation="")
    return json.dumps(event, separators=(",", ":"), sort_keys=True).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", help="Kafka bootstrap servers")
    parser.add_argument("--topic", help="topic to produce to")
    parser.add_argument("--count", type=int, help="number of events")
    parser.add_argument("--kind", choices=["valid", "bad"], default="valid", help="valid events, or mixed bad ones")
    parser.add_argument("--prefix", default="bench", help="key prefix (and email prefix)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator (same seed, same events)")
    parser.add_argument("--customers", type=int, default=1000, help="customer ids are drawn from 1...CUSTOMERS")
    parser.add_argument("--print-reasons", action="store_true", help="print the bad kinds' reasons as JSON, exit")
    args = parser.parse_args()

    if args.print_reasons:
        print(json.dumps(sorted(set(BAD_REASONS.values()))))
        return 0
    if not (args.bootstrap and args.topic and args.count is not None):
        parser.error("--bootstrap, --topic and --count are required")

    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "linger.ms": 20,
        "batch.num.messages": 10000,
        "queue.buffering.max.messages": 1000000,
        "compression.type": "none",
        "enable.idempotence": False,
        "acks": 1,
    })
    failures = []

    def delivered(error, _message):
        if error is not None:
            failures.append(str(error))

    rng = random.Random(args.seed)
    bad_kinds = list(BAD_REASONS)
    started = time.monotonic()
    for index in range(args.count):
        kind = "valid" if args.kind == "valid" else bad_kinds[index % len(bad_kinds)]
        value = event_value(rng, kind, args.prefix, index, args.customers)
        while True:
            try:
                producer.produce(args.topic, key=f"{args.prefix}-{index:06d}".encode(), value=value,
                                 on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    remaining = producer.flush(120)
    seconds = time.monotonic() - started
    if remaining or failures:
        print(f"bench-produce: {remaining} records undelivered, {len(failures)} failed: {failures[:3]}",
              file=sys.stderr)
        return 1
    print(json.dumps({"records": args.count, "seconds": round(seconds, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
