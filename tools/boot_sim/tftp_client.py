"""TFTP read requests as a phone sends them (RFC 1350 with the blksize/tsize options, RFC
2347-2349), and HTTP GET on port 6970 (newer phones try it before TFTP). Standard library only.
"""

import http.client
import socket
import struct

RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6
BLKSIZE = 1428  # what Cisco phones ask for: an Ethernet frame's worth of data


class FetchResult:
    """outcome: "fetched", "error" (the server's ERROR: code and text), "no_answer" (nothing
    back to any request), "timeout" (the transfer stopped after the server's first packet)."""

    def __init__(self, outcome, data=b"", code=None, text=None, server_port=None):
        self.outcome = outcome
        self.data = data
        self.code = code
        self.text = text
        self.server_port = server_port


def rrq(filename, options=True):
    pkt = struct.pack("!H", RRQ) + filename.encode() + b"\0octet\0"
    if options:
        pkt += b"blksize\0" + str(BLKSIZE).encode() + b"\0tsize\0" + b"0\0"
    return pkt


def tftp_get(local_ip, server, filename, timeout, retries, port=69):
    """Reads filename from server; retransmits the last packet up to retries times."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((local_ip, 0))
        s.settimeout(timeout)
        last = rrq(filename)
        last_to = (server, port)
        s.sendto(last, last_to)
        tid = None
        blksize = 512
        expected = 1
        chunks = []
        tries = 0
        while True:
            try:
                data, peer = s.recvfrom(65536)
            except socket.timeout:
                tries += 1
                if tries > retries:
                    return FetchResult("no_answer" if tid is None else "timeout",
                                       server_port=tid and tid[1])
                s.sendto(last, last_to)
                continue
            if peer[0] != server or (tid is not None and peer != tid) or len(data) < 4:
                continue  # not our transfer (RFC 1350: a stray TID is ignored)
            tries = 0
            tid = peer
            opcode, arg = struct.unpack("!HH", data[:4])
            if opcode == ERROR:
                return FetchResult("error", code=arg, text=data[4:].split(b"\0", 1)[0].decode(
                    errors="replace"), server_port=peer[1])
            if opcode == OACK:
                fields = data[2:].split(b"\0")
                opts = dict(zip(fields[0::2], fields[1::2]))
                blksize = int(opts.get(b"blksize", b"512"))
                last, last_to = struct.pack("!HH", ACK, 0), peer
                s.sendto(last, last_to)
                continue
            if opcode != DATA:
                continue
            if arg == expected:
                chunks.append(data[4:])
                expected = (expected + 1) & 0xFFFF
            last, last_to = struct.pack("!HH", ACK, arg), peer
            s.sendto(last, last_to)
            if arg == (expected - 1) & 0xFFFF and len(data) - 4 < blksize:
                return FetchResult("fetched", b"".join(chunks), server_port=peer[1])


def http_get(local_ip, server, filename, timeout, port=6970):
    """(status, body) of GET /filename, or (None, error text) when nothing answers."""
    conn = http.client.HTTPConnection(server, port, timeout=timeout, source_address=(local_ip, 0))
    try:
        conn.request("GET", "/" + filename, headers={"User-Agent": "Cisco-CP7965G"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    except OSError as e:
        return None, str(e)
    finally:
        conn.close()
