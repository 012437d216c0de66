"""The timestamp server of reference/000_0ee82d34e4d07d88.txt (Assignment 2, Lab 4), written
in Python from that document's description, which prints no server code: a stream socket
server on a TCP port that, for each new connection, stores the time elapsed since the previous
connection setup, and on that connection the time elapsed since the previous data reception
(one recv(1024) per message; the first since the accept), both in milliseconds; with --verbose
prints what it received, decoded as text; before terminating (Ctrl-C, SIGINT) prints the
average inter-arrival times of both lists. Iterative (iter) and concurrent (thr) modes.

Written for socklab's conformance test (tests/conformance/reference_programs_test.ts); the
greeting and the log lines are those of the document's transcripts. Also printed: the port it
listens on (--port 0 picks a free one), and at the end the count of each list, so the test can
check what was measured.
"""

import argparse
import os
import socket
import sys
import threading
import time


def say(line):
    """Prints one line in one write, so the lines of concurrent threads never mix."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


GREETING = "Hello! You are connected to the server."

connection_gaps = []
data_gaps = []
messages = []
last_connection = None


def handle(conn, addr, accepted_at, verbose):
    peer = f"{addr[0]}:{addr[1]}"
    last = accepted_at
    with conn:
        conn.sendall(GREETING.encode())
        while True:
            data = conn.recv(1024)
            now = time.perf_counter()
            if not data:
                break
            data_gaps.append((now - last) * 1000)
            last = now
            sentence = data.decode()
            messages.append(sentence)
            if verbose:
                say(f'Sentence "{sentence}" received from {peer}')
    say(f"[x] Connection closed for {peer}")


def main():
    global last_connection
    parser = argparse.ArgumentParser()
    parser.add_argument("-a", "--address", default="")
    parser.add_argument("-p", "--port", type=int, default=55000)
    parser.add_argument("-m", "--concurrency-mode", choices=["iter", "thr"], default="thr")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    say(f"Parsed CLI arguments: {vars(args)}")
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((args.address, args.port))
    server.listen(100)
    port = server.getsockname()[1]
    say(f"The server is ready to receive on port {port} (PID = {os.getpid()})")
    try:
        while True:
            conn, addr = server.accept()
            now = time.perf_counter()
            if last_connection is not None:
                connection_gaps.append((now - last_connection) * 1000)
            last_connection = now
            if args.verbose:
                say(f"[+] New connection from {addr[0]}:{addr[1]}")
            if args.concurrency_mode == "iter":
                handle(conn, addr, now, args.verbose)
            else:
                threading.Thread(
                    target=handle, args=(conn, addr, now, args.verbose), daemon=True
                ).start()
    except KeyboardInterrupt:
        say("The server is terminating")

    def average(values):
        return sum(values) / len(values) if values else 0.0

    say(f"Connections: {len(connection_gaps) + (last_connection is not None)}")
    say(f"Messages: {len(messages)}")
    say(f"Data inter-arrival times: {len(data_gaps)}")
    say(f"Average connection inter-arrival time: {average(connection_gaps):.3f} ms")
    say(f"Average data inter-arrival time: {average(data_gaps):.3f} ms")


if __name__ == "__main__":
    main()
