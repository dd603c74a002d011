"""A DNS server on loopback for the domain-verification tests: dnslib's `DNSServer` answering
from zone data each test sets, the way a recursive resolver would (CNAMEs inside the zone are
followed in the answer, up to 8; a name with no records at all is NXDOMAIN). The product's own
resolver code talks to it through DOMAINS_DNS_NAMESERVERS, exactly as it talks to real DNS.

`SilentServer` is a UDP socket that reads nothing and answers nothing: a DNS server that times
out.
"""

from __future__ import annotations

import socket
import threading
from collections import defaultdict
from collections.abc import Callable

from dnslib import QTYPE, RCODE, RR, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

MAX_CHASE = 8


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Zone:
    """Records by (name, type), set by tests: `zone.add("chat.acme.test", "CNAME", "x.test")`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.records: dict[tuple[str, str], list[RR]] = defaultdict(list)
        self.servfail: set[str] = set()
        self.queries: list[tuple[str, str]] = []
        # (name, type) -> a function giving the values at query time (a token not known yet)
        self.dynamic: dict[tuple[str, str], Callable[[], list[str]]] = {}

    def add(self, name: str, rtype: str, value: str, ttl: int = 60) -> None:
        name = name.rstrip(".").lower()
        if rtype in ("CNAME", "NS", "MX") and not value.endswith("."):
            value += "."
        if rtype == "TXT":
            value = '"' + value.replace('"', '\\"') + '"'
        with self._lock:
            self.records[(name, rtype)].extend(RR.fromZone(f"{name}. {ttl} IN {rtype} {value}"))

    def add_dynamic(self, name: str, rtype: str, values: Callable[[], list[str]]) -> None:
        self.dynamic[(name.rstrip(".").lower(), rtype)] = values

    def remove(self, name: str, rtype: str | None = None) -> None:
        name = name.rstrip(".").lower()
        with self._lock:
            for key in [key for key in self.records if key[0] == name and rtype in (None, key[1])]:
                del self.records[key]

    def fail(self, name: str) -> None:
        """Answer SERVFAIL for `name`, whatever is asked."""
        self.servfail.add(name.rstrip(".").lower())

    def clear(self) -> None:
        with self._lock:
            self.records.clear()
            self.servfail.clear()
            self.queries.clear()
            self.dynamic.clear()

    def exists(self, name: str) -> bool:
        """A name with records, or with names below it (an empty non-terminal), exists."""
        return any(owner == name or owner.endswith("." + name) for owner, _ in self.records)

    def answer(self, request: DNSRecord) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        provider = self.dynamic.get((name, qtype))
        if provider is not None:
            for value in provider():
                quoted = '"' + value.replace('"', '\\"') + '"' if qtype == "TXT" else value
                reply.add_answer(*RR.fromZone(f"{name}. 60 IN {qtype} {quoted}"))
            return reply
        with self._lock:
            self.queries.append((name, qtype))
            if name in self.servfail:
                reply.header.rcode = RCODE.SERVFAIL
                return reply
            for _ in range(MAX_CHASE):
                found = self.records.get((name, qtype))
                if found:
                    for record in found:
                        reply.add_answer(record)
                    return reply
                cname = self.records.get((name, "CNAME"))
                if not cname or qtype == "CNAME":
                    break
                reply.add_answer(cname[0])
                name = str(cname[0].rdata.label).rstrip(".").lower()
            if not reply.rr and not self.exists(name):
                reply.header.rcode = RCODE.NXDOMAIN
        return reply


class QuietLogger(DNSLogger):
    """dnslib logs every request and reply to stdout; the zone keeps `queries` instead."""

    def log_pass(self, *args: object) -> None:
        pass

    def log_recv(self, handler: object, data: object) -> None:
        pass

    def log_send(self, handler: object, data: object) -> None:
        pass

    def log_request(self, handler: object, request: object) -> None:
        pass

    def log_reply(self, handler: object, reply: object) -> None:
        pass

    def log_truncated(self, handler: object, reply: object) -> None:
        pass

    def log_data(self, dnsobj: object) -> None:
        pass


class ZoneResolver(BaseResolver):
    def __init__(self, zone: Zone) -> None:
        self.zone = zone

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        return self.zone.answer(request)


class LoopbackDNS:
    """The server and its zone; `nameserver` is what DOMAINS_DNS_NAMESERVERS names."""

    def __init__(self) -> None:
        self.zone = Zone()
        self.port = free_udp_port()
        self.server = DNSServer(ZoneResolver(self.zone), port=self.port, address="127.0.0.1", logger=QuietLogger())

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server.start_thread()

    def stop(self) -> None:
        self.server.stop()


class SilentServer:
    """Bound, never answering: every query to it times out."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.sock.close()
