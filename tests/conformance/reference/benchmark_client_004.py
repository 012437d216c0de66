"""The benchmark client of reference/004_fc16dd8ea9eb56a5.txt (CS202 Computer Networks
Tutorial-1, Problem 2, "Client Side Program"), as printed there.

One change, to reach 127.0.0.1 on a free port: get_ip_address returns "127.0.0.1" instead of
asking netifaces for the interface's address (netifaces is not installed here, so its import is
left out), and the port is the first argument.
"""

import socket
import sys

def get_ip_address(interface):
    return "127.0.0.1"

def run_client(server_interface='eth0', server_port=65432):
    try:
        # Get server's IP from its network interface
        server_host = get_ip_address(server_interface)

        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.connect((server_host, server_port))
            message = "BenchmarkTestString123"
            s.sendall(message.encode())
            response = s.recv(1024).decode()
            print(f"Received: {response}")

    except Exception as e:
        print(f"Connection error: {str(e)}")
        sys.exit(1)

if __name__ == "__main__":
    run_client(server_interface='eth0', server_port=int(sys.argv[1]))
