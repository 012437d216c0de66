"""The menu client of reference/004_fc16dd8ea9eb56a5.txt (CS202 Computer Networks Tutorial-1,
Problem 1, "Client Side Program"), as printed there in parts a) to e): get_ip_address, the
connect, the menu loop, the request and the response.

One change, to reach 127.0.0.1 on a free port: get_ip_address returns "127.0.0.1" instead of
asking netifaces for the interface's address (netifaces is not installed here), and the port is
the first argument. Added, since the document prints only those parts: the imports, the function
and main block around them (shaped as Problem 2's printed client), and the "Connected to server
at" line of the document's transcripts.
"""

import socket
import sys


def get_ip_address(interface):
    return "127.0.0.1"


def run_client(server_interface='eth0', server_port=65432):
    server_host = get_ip_address(server_interface)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.connect((server_host, server_port))
        print(f"Connected to server at {server_host}:{server_port}")
        while True:
            print("\n1. Change case\n2. Evaluate expression\n3. Reverse string\n4. Exit")
            choice = input("Enter choice (1-4): ")

            if choice == '4':
                break

            if choice in ('1', '2', '3'):
                data = input("Enter input: ")
                message = f"{choice}|{data}"
                s.sendall(message.encode())

                response = s.recv(1024).decode()
                print("Result:", response)


if __name__ == "__main__":
    run_client(server_interface='eth0', server_port=int(sys.argv[1]))
