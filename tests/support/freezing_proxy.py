"""A TCP proxy for tests: forwards 127.0.0.1:PORT to a target.

Usage: freezing_proxy.py PORT_FILE TARGET_HOST TARGET_PORT FREEZE_FILE

Writes its port to PORT_FILE. When FREEZE_FILE appears, every connection open at that moment
stops forwarding in both directions but stays open, as a firewall or NAT that dropped it without a
word would leave it; the file is then removed, and later connections are forwarded as before.
"""

import asyncio
import os
import sys

port_file, target_host, target_port, freeze_file = sys.argv[1:5]
open_connections = []


class Connection:
    def __init__(self):
        self.frozen = False


async def pipe(reader, writer, connection):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if connection.frozen:
                continue  # swallowed: nothing reaches the other side, nothing comes back
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        if not connection.frozen:
            writer.close()


async def serve(client_reader, client_writer):
    connection = Connection()
    open_connections.append(connection)
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            target_host, int(target_port))
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, upstream_writer, connection),
                         pipe(upstream_reader, client_writer, connection))
    open_connections.remove(connection)


async def watch_freeze():
    while True:
        if os.path.exists(freeze_file):
            for connection in open_connections:
                connection.frozen = True
            os.remove(freeze_file)
        await asyncio.sleep(0.05)


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.replace(port_file + ".tmp", port_file)
    await asyncio.gather(server.serve_forever(), watch_freeze())


asyncio.run(main())
