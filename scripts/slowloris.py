#!/usr/bin/env python3
"""Slow clients against a local HTTP server, and the latency of a fresh /health request meanwhile.

Opens TRICKLING connections that send a request one byte every INTERVAL seconds (half of them a head that never
ends, half a head and then a body that never ends) and IDLE connections that send nothing; either kind opens a new
connection when the server closes one, as an attacker would, for DURATION seconds. Trickling connections come from 127.0.1.x, idle ones
from 127.0.2.x (all loopback, 10 connections per address), so that the server's per-peer cap does not hide the
limit on all connections; with --one-peer all come from 127.0.0.1, as the /health requests do. Once they are open, REQUESTS fresh connections from 127.0.0.1 each ask GET /health and
time the whole answer. Prints one line: answered, median and worst latency in milliseconds.
Only loopback addresses are contacted.
"""
import argparse
import asyncio

PER_ADDRESS = 10
ONE_PEER = False  # --one-peer: every connection from 127.0.0.1, against the per-peer cap instead


def source(prefix, index):
    return "127.0.0.1" if ONE_PEER else "%s.%d" % (prefix, index // PER_ADDRESS + 1)


async def trickle(port, index, interval, stop, stats):
    body = index % 2 == 1
    head = b"GET /health HTTP/1.1\r\nHost: agent\r\nX-Pad: " if not body else (
        b"POST /api/v1/deployments HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\n"
        b"Content-Length: 60000\r\n\r\n")
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source("127.0.1", index), 0))
        except OSError:
            await asyncio.sleep(interval)
            continue
        stats["trickling_opened"] += 1
        try:
            if body:
                writer.write(head)  # the head at once, then the body byte by byte
                await writer.drain()
                payload = b"a"
            else:
                payload = None
            sent = 0
            while not stop.is_set():
                byte = payload if payload is not None else (head[sent:sent + 1] if sent < len(head) else b"a")
                writer.write(byte)
                await writer.drain()
                sent += 1
                try:
                    await asyncio.wait_for(reader.read(4096), interval)
                except asyncio.TimeoutError:
                    continue
                break  # an answer (408) or the end: the server gave up on this one
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
        if not stop.is_set():
            stats["trickling_closed"] += 1
            await asyncio.sleep(interval)  # as for idle ones: reconnecting at once only burns CPU faster


async def idle(port, index, stop, stats):
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source("127.0.2", index), 0))
        except OSError:
            await asyncio.sleep(1)
            continue
        stats["idle_opened"] += 1
        try:
            while not stop.is_set():
                try:
                    data = await asyncio.wait_for(reader.read(4096), 1)
                except asyncio.TimeoutError:
                    continue
                if not data:
                    break
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
        if not stop.is_set():
            stats["idle_closed"] += 1
        await asyncio.sleep(1)  # an attacker that reconnects at once only burns both sides' CPU faster


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--trickling", type=int, default=300)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between two bytes of a trickler")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of attack")
    parser.add_argument("--one-peer", action="store_true", help="every connection from 127.0.0.1")
    args = parser.parse_args()
    global ONE_PEER
    ONE_PEER = args.one_peer

    stop = asyncio.Event()
    stats = {"trickling_opened": 0, "trickling_closed": 0, "idle_opened": 0, "idle_closed": 0}
    tasks = [asyncio.create_task(idle(args.port, i, stop, stats)) for i in range(args.idle)]
    tasks += [asyncio.create_task(trickle(args.port, i, args.interval, stop, stats)) for i in range(args.trickling)]
    await asyncio.sleep(args.duration)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    print("connections opened: trickling %d (closed by the server %d), idle %d (closed %d)" % (
        stats["trickling_opened"], stats["trickling_closed"], stats["idle_opened"], stats["idle_closed"]))


if __name__ == "__main__":
    asyncio.run(main())
