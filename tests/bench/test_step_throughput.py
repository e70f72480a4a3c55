"""The throughput bench's lean load generator (bench/step_throughput.py, RawClient) against a real HTTP server:
what it sends is a well-formed request, and what it reads back is the status and the body."""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def st():
    spec = importlib.util.spec_from_file_location("step_throughput_under_test", BENCH / "step_throughput.py")
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # its dataclasses look it up there
    saved = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved  # the script takes its own directory off the path
    yield module
    sys.modules.pop(spec.name, None)


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = 409 if self.path.endswith("/refuse") else 200
        answer = json.dumps({
            "path": self.path, "body": body.decode(), "authorization": self.headers.get("Authorization"),
            "content_type": self.headers.get("Content-Type"), "connection": self.headers.get("Connection"),
            "host": self.headers.get("Host"),
        }).encode() + b" " * 70_000 * (status == 200)  # longer than one read, for the 200s
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_raw_client_sends_the_request_and_reads_status_and_whole_body(st, server):
    client = st.RawClient(server)
    headers = {"Authorization": "Bearer sat_abc", "Content-Type": "application/json"}
    status, content = client.post("/api/v1/cases/C-1/steps/REG/start", b'{"note": "x"}', headers)
    assert status == 200
    seen = json.loads(content)
    assert seen["path"] == "/api/v1/cases/C-1/steps/REG/start"
    assert seen["body"] == '{"note": "x"}'
    assert seen["authorization"] == "Bearer sat_abc"
    assert seen["content_type"] == "application/json"
    assert seen["connection"] == "close"
    assert seen["host"] == server.removeprefix("http://")
    # the same headers again (their encoded block is kept) and another status
    status, content = client.post("/x/refuse", b"{}", headers)
    assert status == 409
    assert json.loads(content)["authorization"] == "Bearer sat_abc"


def test_raw_client_reports_a_closed_port_as_a_transport_error(st):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = st.RawClient(f"http://127.0.0.1:{port}")
    with pytest.raises(client.errors):
        client.post("/", b"{}", {})


def test_raw_client_refuses_an_answer_that_is_not_http(st):
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_garbage():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"hello")

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    try:
        client = st.RawClient(f"http://127.0.0.1:{listener.getsockname()[1]}")
        with pytest.raises(client.errors, match="not an HTTP answer"):
            client.post("/", b"{}", {})
    finally:
        thread.join(5)
        listener.close()
