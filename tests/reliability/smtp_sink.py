"""A minimal SMTP server for the reliability tests: it keeps every message it accepts.

The worker runs in another process, so Django's locmem outbox cannot see its e-mails; this
server can. It speaks just enough SMTP for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT). A message is *accepted* when the server answers 250 to its DATA, as with a
real mail server. ``crash_at`` runs a callback (the test kills the worker) at a chosen message:
just before accepting it, just after, or when its client says QUIT, so that a crash lands at an
exact point of delivery.
"""

from __future__ import annotations

import email
import socketserver
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message

CRASH_POINTS = frozenset({"before_accept", "after_accept", "at_quit"})


@dataclass
class Crash:
    at: int  # the n-th DATA the server receives, from 1
    # "before_accept": instead of answering the DATA; "after_accept": just after its 250;
    # "at_quit": when the client that sent it says QUIT, before the 221.
    when: str
    action: Callable[[], None]
    # after_accept only: run just before the 250 (the test takes a database lock there)
    prepare: Callable[[], None] | None = None
    done: threading.Event = field(default_factory=threading.Event)


class SmtpSink:
    def __init__(self) -> None:
        self.accepted: list[Message] = []
        self.data_received = 0
        self.crash: Crash | None = None
        self._lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                sink._session(self.rfile, self.wfile)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpSink:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def crash_at(
        self,
        at: int,
        when: str,
        action: Callable[[], None],
        *,
        prepare: Callable[[], None] | None = None,
    ) -> Crash:
        assert when in CRASH_POINTS
        assert prepare is None or when == "after_accept"
        self.crash = Crash(at, when, action, prepare)
        return self.crash

    def message_ids(self) -> Counter[str]:
        with self._lock:
            return Counter(str(m["Message-ID"]) for m in self.accepted)

    def accepted_count(self) -> int:
        with self._lock:
            return len(self.accepted)

    def _session(self, rfile, wfile) -> None:
        wfile.write(b"220 sink.test ESMTP\r\n")
        number = 0  # of the last DATA of this session
        while line := rfile.readline():
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb in {b"EHLO", b"HELO"}:
                wfile.write(b"250 sink.test\r\n")
            elif verb in {b"MAIL", b"RCPT", b"RSET", b"NOOP"}:
                wfile.write(b"250 OK\r\n")
            elif verb == b"QUIT":
                crash = self.crash
                if crash and crash.when == "at_quit" and crash.at == number:
                    crash.action()
                    crash.done.set()
                    return
                wfile.write(b"221 Bye\r\n")
                return
            elif verb == b"DATA":
                wfile.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                lines = []
                while (data := rfile.readline()) not in {b".\r\n", b""}:
                    lines.append(data[1:] if data.startswith(b"..") else data)
                if not data:
                    return  # the client went away mid-message: nothing accepted
                with self._lock:
                    self.data_received += 1
                    number = self.data_received
                crash = self.crash if self.crash and self.crash.at == number else None
                if crash and crash.when == "before_accept":
                    crash.action()
                    crash.done.set()
                    return  # never answered 250: not accepted, as a real server would
                if crash and crash.when == "after_accept" and crash.prepare:
                    crash.prepare()
                with self._lock:
                    self.accepted.append(email.message_from_bytes(b"".join(lines)))
                wfile.write(b"250 OK queued\r\n")
                if crash and crash.when == "after_accept":
                    crash.action()
                    crash.done.set()
            else:
                wfile.write(b"502 Command not implemented\r\n")
