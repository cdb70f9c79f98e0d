#!/usr/bin/python3
"""The benchmark's baseline: a plain sequential Python consumer doing the service's job naively.

For each batch of records: decode the CustomerContactAdd JSON, map it to a customer.contact.add request, POST it to
Komet over one kept-alive HTTP connection (http.client), produce an outcome record (success or dead-letter topic),
then flush the producer and commit the batch's offsets synchronously. No dedupe store, no retries, no concurrency.

Prints one JSON object on stdout: {"records": N, "seconds": S, "events_per_s": R, "cpu_ms_per_event": C, ...},
timed from the first record received to the last batch committed, CPU (utime + stime of this process, from
/proc/self/stat) over the same window.
"""

import argparse
import http.client
import json
import os
import sys
import time
import urllib.parse

from confluent_kafka import Consumer, KafkaError, Producer

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds():
    """utime + stime of this process (every thread), from /proc/self/stat."""
    with open("/proc/self/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def komet_request(event):
    """The customer.contact.add fields for one decoded event, or raises ValueError for a bad event."""
    contact = event.get("Contact")
    customer_id = event.get("CustomerID")
    if not isinstance(contact, dict) or not isinstance(customer_id, int):
        raise ValueError("missing Contact or CustomerID")
    parts = [contact.get("Salutation") or "", contact.get("FirstName") or "", contact.get("LastName") or ""]
    name = " ".join(" ".join(parts).split())
    if not name:
        raise ValueError("empty name")
    request = {"customerId": customer_id, "name": name,
               "type": "A/P" if contact.get("Title") == "Accounts Payable" else "Buyer"}
    numbers = {}
    for number in contact.get("PhoneNumbers") or []:
        numbers.setdefault(number.get("Type"), number.get("Number"))
    if any(kind not in (1, 2, 3, 6) for kind in numbers):
        raise ValueError("unrecognized phone type")
    for field, kinds in (("phone", (1,)), ("mobile", (2, 6)), ("fax", (3,))):
        for kind in kinds:
            if numbers.get(kind):
                request[field] = numbers[kind]
                break
    if contact.get("Email"):
        request["email"] = contact["Email"]
    if contact.get("Title"):
        request["description"] = contact["Title"]
    return request


class Komet:
    """customer.contact.add over one kept-alive HTTP/1.1 connection."""

    def __init__(self, base_url, token):
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port, self.path = url.hostname, url.port or 80, url.path.rstrip("/")
        self.token = token
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=15)

    def add(self, request):
        body = json.dumps(dict(request, authenticationToken=self.token)).encode()
        self.connection.request("POST", self.path + "/customer.contact.add", body=body,
                                headers={"Content-Type": "application/json"})
        response = self.connection.getresponse()
        answer = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return answer


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--topic", required=True, help="input topic")
    parser.add_argument("--success-topic", required=True, help="topic for success outcomes")
    parser.add_argument("--dead-letter-topic", required=True, help="topic for dead letters")
    parser.add_argument("--group", required=True, help="consumer group")
    parser.add_argument("--komet-url", required=True, help="Komet API root, e.g. http://127.0.0.1:8000/api")
    parser.add_argument("--count", type=int, required=True, help="stop after this many records")
    parser.add_argument("--batch", type=int, default=500, help="records per batch (and per commit)")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    args = parser.parse_args()
    token = os.environ.get("KOMET_TOKEN")
    if not token:
        parser.error("KOMET_TOKEN is not set")

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "acks": "all"})
    komet = Komet(args.komet_url, token)
    # Start-up stays out of the window, as the worker's does: the idempotent producer gets its producer id with a
    # first record (a marker on the success topic, which only the baseline writes).
    producer.produce(args.success_topic, key=b"bench-baseline-warm-up", value=b"{}")
    if producer.flush(30) != 0:
        print("bench-baseline: the producer could not deliver its warm-up record within 30 s", file=sys.stderr)
        return 1
    consumer.subscribe([args.topic])

    done = created = dead = 0
    first_at = first_cpu = None
    deadline = time.monotonic() + args.timeout
    try:
        while done < args.count:
            if time.monotonic() > deadline:
                print(f"bench-baseline: {done} of {args.count} records in {args.timeout} s", file=sys.stderr)
                return 1
            # A short timeout: consume() waits for a full batch until then, and that wait is not work.
            batch = consumer.consume(num_messages=args.batch, timeout=0.1)
            if not batch:
                continue
            if first_at is None:
                first_at, first_cpu = time.monotonic(), cpu_seconds()
            for message in batch:
                if message.error() is not None:
                    if message.error().code() == KafkaError._PARTITION_EOF:
                        continue
                    print(f"bench-baseline: {message.error()}", file=sys.stderr)
                    return 1
                try:
                    request = komet_request(json.loads(message.value()))
                except (ValueError, AttributeError, TypeError) as error:
                    producer.produce(args.dead_letter_topic, key=message.key(), value=message.value(),
                                     headers={"komet-sync.detail": str(error)})
                    dead += 1
                    done += 1
                    continue
                answer = komet.add(request)
                outcome = {
                    "status": "created" if answer.get("status") == 1 else "rejected",
                    "dedupeKey": (message.key() or b"").decode(),
                    "komet": {"customerId": request["customerId"], "contactId": answer.get("contactId"),
                              "message": answer.get("message")},
                    "request": request,
                    "source": {"topic": message.topic(), "partition": message.partition(),
                               "offset": message.offset()},
                }
                producer.produce(args.success_topic, key=message.key(), value=json.dumps(outcome).encode())
                producer.poll(0)
                created += 1
                done += 1
            if producer.flush(30) != 0:
                print("bench-baseline: outcomes not delivered within 30 s", file=sys.stderr)
                return 1
            consumer.commit(asynchronous=False)
        seconds = time.monotonic() - first_at
        cpu = cpu_seconds() - first_cpu
    finally:
        consumer.close()
    print(json.dumps({
        "records": done,
        "created": created,
        "dead_letters": dead,
        "seconds": round(seconds, 3),
        "events_per_s": round(done / seconds, 1),
        "cpu_ms_per_event": round(cpu * 1000 / done, 4),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
