#!/usr/bin/env python3
"""Times POSTs to a running headroom over one TLS keep-alive connection.

  e2e.py --url https://127.0.0.1:PORT/filter --cacert CA --body FILE --runs N --name NAME

Prints one row like headroom-bench's: row, name, runs, median ms, p99 ms, result.
The time is the client's: send, server work, receive and parse nothing more.
"""
import argparse
import http.client
import ssl
import statistics
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--cacert", required=True)
    ap.add_argument("--body", required=True)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--name", required=True)
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.url)
    body = open(a.body, "rb").read()
    ctx = ssl.create_default_context(cafile=a.cacert)
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=60)
    headers = {"Content-Type": "application/json"}
    samples = []
    answer = 0
    for i in range(a.runs + 5):
        t0 = time.perf_counter()
        conn.request("POST", u.path + ("?" + u.query if u.query else ""), body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        ms = (time.perf_counter() - t0) * 1e3
        if resp.status != 200:
            raise SystemExit("e2e: %s answered %d: %s" % (a.url, resp.status, data[:200]))
        answer = len(data)
        if i >= 5:  # the first few warm the connection and caches
            samples.append(ms)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(0.99 * len(samples) + 0.999999) - 1)]
    print("row\t%s\t%d\t%.3f\t%.3f\tover TLS keep-alive; request %.1f KiB, answer %.1f KiB" %
          (a.name, len(samples), statistics.median(samples), p99, len(body) / 1024, answer / 1024))


if __name__ == "__main__":
    main()
