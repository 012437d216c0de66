"""The iterative server of reference/002_d202065b3bc2a2d9.txt (CS331 Tutorial 1, Part 1), as
printed there: two loops, the outer accepting one client, the inner serving its requests, one
recv(1024) each, until it disconnects or is answered "Goodbye!".

One change, to bind 127.0.0.1 and a free port: HOST is "127.0.0.1" and PORT the first argument.
Added, since the document does not print them: the imports, HOST and PORT, the except clause
that ends the printed try block (Ctrl-C), and process_task, for which this file takes
reference/004's process_request (the same menu of tasks: 1 swap case, 2 evaluate, 3 reverse)
with "4" answered "Goodbye!", as the printed loop expects of it.
"""

import socket
import sys

from task_server_004 import process_request

HOST = "127.0.0.1"
PORT = int(sys.argv[1])


def process_task(data):
    if data == "4" or data.startswith("4|"):
        return "Goodbye!"
    return process_request(data)


server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server_socket.bind((HOST, PORT))
server_socket.listen(100)

print(f"Server is running on {HOST}:{PORT}...")

try:
    while True:
        print("Waiting for a client to connect...")
        conn, addr = server_socket.accept()
        print(f"TCP connection established with {addr}")

        while True:
            try:
                data = conn.recv(1024).decode()
                if not data:
                    print(f"Client {addr} disconnected.")
                    break

                print(f"Received task from {addr}: {data}")
                response = process_task(data)

                conn.sendall(response.encode())

                if response == "Goodbye!":
                    print(f"Closing connection with {addr}")
                    break

            except Exception as e:
                print(f"Error handling client {addr}: {e}")
                break

        conn.close()
except KeyboardInterrupt:
    pass
