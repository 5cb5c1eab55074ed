"""The services a failure scenario starts, stops and restarts: the outside world's end of email
(an SMTP server)."""

from __future__ import annotations

import socketserver
import threading


class SmtpSink(socketserver.ThreadingTCPServer):
    """The mail server at the other end: speaks enough SMTP to take messages and keeps them.
    With `hang`, it accepts the connection and never answers, like a stalled relay."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, hang: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.hang = hang
        self.messages: list[str] = []
        self.connected = threading.Event()
        self._release = threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def env(self) -> dict[str, str]:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
        }

    def close(self) -> None:
        self._release.set()
        self.shutdown()
        self.server_close()


class _SmtpSession(socketserver.StreamRequestHandler):
    server: SmtpSink

    def handle(self) -> None:
        self.server.connected.set()
        if self.server.hang:
            self.server._release.wait()
            return
        self._say("220 sink ESMTP")
        data: list[str] | None = None
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if data is not None:
                if line == ".":
                    self.server.messages.append("\n".join(data))
                    data = None
                    self._say("250 kept")
                else:
                    data.append(line[1:] if line.startswith("..") else line)
                continue
            verb = line[:4].upper()
            if verb == "DATA":
                data = []
                self._say("354 go on")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 ok")

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
