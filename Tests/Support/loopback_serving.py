"""How the test servers in Tests/ (standard library only) get their socket and know when to stop.

Two ways to start one:
- stdin is a listening socket (what the Swift tests' `PythonServer` hands over): serve on it, and exit when the
  parent process is gone. The socket listens before Python starts, so the tests need not wait for the interpreter:
  a request made at once waits in the socket's backlog until the server accepts it.
- otherwise (a shell, the benches): listen on a free loopback port, print it on stdout's first line, and exit when
  stdin closes.
"""

import os
import socket
import stat
import sys
import threading
import time


def serve(server_class, handler, wrap_socket=None):
    """Runs `server_class(address, handler)` until the parent goes; `wrap_socket` may wrap the listening socket (TLS)."""
    server_class = _quiet_about_hangups(server_class)
    if stat.S_ISSOCK(os.fstat(0).st_mode):
        listening = socket.socket(fileno=os.dup(0))
        server = server_class(listening.getsockname()[:2], handler, bind_and_activate=False)
        server.socket.close()  # the unbound one the constructor made
        server.socket = listening
        server.server_name, server.server_port = server.server_address
        parent = os.getppid()
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    else:
        server = server_class(("127.0.0.1", 0), handler)
        print(server.server_address[1], flush=True)
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    if wrap_socket is not None:
        server.socket = wrap_socket(server.socket)
    server.daemon_threads = True
    server.serve_forever()


def _exit_when_orphaned(parent):
    # A process whose parent died is handed to another (init or a subreaper); its parent id changes.
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def _quiet_about_hangups(server_class):
    # A client that hangs up first (a test's timeout, a process exiting between kept-alive requests) is what the tests
    # do on purpose; any other error is printed as usual.
    class Quiet(server_class):
        def handle_error(self, request, client_address):
            if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
                return
            super().handle_error(request, client_address)

    return Quiet
