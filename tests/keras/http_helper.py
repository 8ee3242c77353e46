"""A tiny HTTP server on 127.0.0.1 for download tests (no network is ever used).

`serve(folder)` serves the files of `folder`; a path starting with `/truncated/` sends a
Content-Length of the whole file but only half of its bytes, then drops the connection.
"""
import contextlib
import functools
import http.server
import os
import threading


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path.startswith("/truncated/"):
            path = os.path.join(self.directory, self.path[len("/truncated/"):])
            with open(path, "rb") as f:
                data = f.read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder):
    """Yields the base URL (ending in '/') of a server for `folder`; stops it afterwards."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
