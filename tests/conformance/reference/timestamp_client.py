"""The timestamp client of reference/000_0ee82d34e4d07d88.txt (Assignment 2, Lab 4), written
in Python from that document's description, which prints no client code: always
multithreaded, each worker thread connects, reads the server's greeting with recv(1024), then
for each event sleeps the drawn inter-event time and sends one sentence
"Worker <w>, Event <e>, Timestamp <unix-ms>" with no newline, then closes. Distributions:
deterministic (-p: the time in seconds), uniform on [0, T] (-p: T), exponential (-p: the rate
per second). --verbose prints what is sent, in the document's transcript format.

Written for socklab's conformance test (tests/conformance/reference_programs_test.ts). One
addition: --seed draws with socklab's generator (sfc32 seeded through splitmix32, one stream per
worker, as lib/stats/rng.ts and lib/client/client_worker.ts), so this client and socklab's can
be compared on the same draws; without it the draws come from Python's random module.
"""

import argparse
import math
import random
import socket
import sys
import threading
import time


def say(line):
    """Prints one line in one write, so the lines of concurrent threads never mix."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


MASK = 0xFFFFFFFF


def splitmix32(seed):
    state = seed & MASK

    def next_value():
        nonlocal state
        state = (state + 0x9E3779B9) & MASK
        z = state
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & MASK
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & MASK
        return (z ^ (z >> 16)) & MASK

    return next_value


def sfc32(seed):
    """socklab's createRng: numbers uniform in [0, 1)."""
    next_value = splitmix32(seed)
    a, b, c, d = next_value(), next_value(), next_value(), next_value()

    def rng():
        nonlocal a, b, c, d
        t = (a + b + d) & MASK
        d = (d + 1) & MASK
        a = b ^ (b >> 9)
        b = (c + (c << 3)) & MASK
        c = ((c << 21) | (c >> 11)) & MASK
        c = (c + t) & MASK
        return t / 4294967296

    return rng


def worker_seed(seed, worker):
    return (seed ^ ((worker * 0x9E3779B1) & MASK)) & MASK


def drawer(dist, param, seed, worker):
    if seed is None:
        generator = random.Random()
        rng = generator.random
    else:
        rng = sfc32(worker_seed(seed, worker))
    if dist == "d":
        return lambda: param
    if dist == "u":
        return lambda: rng() * param
    return lambda: -math.log(1 - rng()) / param


def run_worker(worker, args):
    draw = drawer(args.dist, args.param, args.seed, worker)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.connect((args.server, args.port))
        greeting = s.recv(1024).decode()
        if args.verbose:
            say(f"[Worker {worker}] Connected. Server says: {greeting.strip()}")
        for event in range(1, args.intervals + 1):
            time.sleep(draw())
            sentence = f"Worker {worker}, Event {event}, Timestamp {int(time.time() * 1000)}"
            s.sendall(sentence.encode())
            if args.verbose:
                say(f"[Worker {worker}] Sending: {sentence}")
    if args.verbose:
        say(f"[Worker {worker}] Task completed and connection closed.")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-w", "--workers", type=int, required=True)
    parser.add_argument("-n", "--intervals", type=int, required=True)
    parser.add_argument("-d", "--dist", choices=["d", "u", "e"], required=True)
    parser.add_argument("-p", "--param", type=float, required=True)
    parser.add_argument("-s", "--server", required=True)
    parser.add_argument("-P", "--port", type=int, default=55000)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    say(f"Starting {args.workers} threads connecting to {args.server}:{args.port}...")
    threads = [
        threading.Thread(target=run_worker, args=(worker, args))
        for worker in range(1, args.workers + 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    say("All workers have finished.")


if __name__ == "__main__":
    main()
