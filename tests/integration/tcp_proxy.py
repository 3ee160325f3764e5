"""A TCP proxy a test controls, to cut a client off from its server without closing anything:
it listens on 127.0.0.1 on a free port and forwards each connection to `upstream` (host, port),
and partition() stops forwarding in both directions at once, for the connections open and for
those that come while it lasts; heal() resumes it.

    proxy = TcpProxy(("127.0.0.1", pg_port))
    url = f"postgresql://postgres@127.0.0.1:{proxy.port}/db"   # the client goes through it
    proxy.partition()   # silence: neither side hears from the other, no FIN, no RST
    proxy.heal()        # what was held goes on, in order
    proxy.close()

While partitioned nothing is read from either side, and bytes already read wait in the proxy;
no socket is closed and none is reset, so each peer sees silence, as behind a pulled cable or a
DROP rule. One difference from a real cut, which a test must keep in mind: the proxy's own
kernel still acknowledges what a peer sends it (until its receive buffer fills), so a peer's
TCP keepalives and tcp_user_timeout notice nothing; only a peer that gives up on a reply it
waits for (its own deadline) finds the server gone. Held bytes are delivered on heal(), as TCP
would retransmit them after a real cut, unless their sender closed its end meanwhile.

A connection that arrives while partitioned is accepted (the kernel completes the handshake)
but reaches upstream only after heal(). Threads: two per connection, daemon; the methods from
any thread. Loopback only."""
import socket
import threading


class TcpProxy:
    def __init__(self, upstream, host="127.0.0.1"):
        self.upstream = upstream
        self._open = threading.Event()  # set: forwarding; clear: partitioned
        self._open.set()
        self._closing = False
        self._lock = threading.Lock()
        self._sockets = []
        self.connections = 0  # accepted so far, for a test's assertions
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept, name="tcp-proxy-accept", daemon=True)
        self._acceptor.start()

    @property
    def partitioned(self):
        return not self._open.is_set()

    def partition(self):
        self._open.clear()

    def heal(self):
        self._open.set()

    def close(self):
        """Closes the listener and every connection (both ends)."""
        self._closing = True
        self._open.set()  # wakes the pumps, which then see _closing
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self._acceptor.join(5)

    def _wait_open(self):
        """Blocks while partitioned; False once the proxy closes."""
        while not self._open.wait(0.05):
            if self._closing:
                return False
        return not self._closing

    def _accept(self):
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._sockets.append(client)
                self.connections += 1
            threading.Thread(target=self._connect, args=(client,), name="tcp-proxy-conn",
                             daemon=True).start()

    def _connect(self, client):
        if not self._wait_open():
            return
        try:
            server = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            client.close()
            return
        server.settimeout(None)
        with self._lock:
            self._sockets.append(server)
        threading.Thread(target=self._pump, args=(server, client), name="tcp-proxy-down",
                         daemon=True).start()
        self._pump(client, server)

    def _pump(self, source, sink):
        """source -> sink until either end closes; stops reading and holds what it read while
        partitioned."""
        try:
            while True:
                if not self._wait_open():
                    return
                data = source.recv(65536)
                if not data:
                    break
                if not self._wait_open():  # read just before a partition: held until heal
                    return
                sink.sendall(data)
        except OSError:
            pass
        # One side ended: pass the end on (FIN after what was forwarded), then let both go.
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass
