#!/usr/bin/env python3
"""A recording HTTP proxy for the write tests.

    body_proxy.py UPSTREAM_URL LOG_FILE

Listens on 127.0.0.1 (a free port), forwards every request to UPSTREAM_URL
unchanged (method, path, query, headers, body) and relays the answer. Each
request that is not a GET is appended to LOG_FILE as one JSON line
{"method", "path", "status", "body"} once the upstream answered, so a test
can check the exact bytes a PUT or POST carried (the emulator's own log
keeps no bodies). Prints "listening on http://127.0.0.1:PORT" when ready.
SIGTERM stops it.
"""
import http.client
import http.server
import json
import signal
import sys
import threading
import urllib.parse

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
       "te", "trailer", "upgrade", "content-length", "expect"}
OWN = {"date", "server"}    # send_response() adds its own


def main():
    upstream = urllib.parse.urlsplit(sys.argv[1])
    log_path = sys.argv[2]
    log_lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def relay(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n > 0 else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            headers["Host"] = upstream.netloc
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            try:
                conn.request(self.command, self.path, body=body if n > 0 else None,
                             headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                status, reason, rheaders = resp.status, resp.reason, resp.getheaders()
            except OSError as e:
                status, reason, rheaders = 502, "Bad Gateway", []
                data = json.dumps({"error": "proxy: %s" % e}).encode()
            finally:
                conn.close()
            if self.command != "GET" and not self.path.startswith("/_emu/"):
                line = json.dumps({"method": self.command, "path": self.path,
                                   "status": status,
                                   "body": body.decode("utf-8", "replace")})
                with log_lock, open(log_path, "a") as f:
                    f.write(line + "\n")
            self.send_response(status, reason)
            for k, v in rheaders:
                if k.lower() not in HOP and k.lower() not in OWN:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = relay

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
