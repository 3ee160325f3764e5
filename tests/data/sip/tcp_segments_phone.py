#!/usr/bin/env python3
"""The phone side of register_tcp_segments.pcap (README.md): two lines of a phone (two Call-IDs,
so two calls of the sipp registrar) registering over one TCP connection, cut so that one segment
carries a whole REGISTER and the start of the next, and the next segment the end of that one and
the other line's whole REGISTER: what a busy stream looks like, for the framer and tshark to
agree on. Each write waits for the answers to what it sent, so the segments are cut where this
says (sipp answers one REGISTER of a call before it reads the next).
Usage: tcp_segments_phone.py PHONE_IP REGISTRAR_IP [PORT]"""
import socket
import sys


def register(cseq, user, local, port, extra=""):
    ip, local_port = local
    call = 1 if user == "1003" else 2
    return (f"REGISTER sip:{sys.argv[2]}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/TCP {ip}:{local_port};branch=z9hG4bK-seg-{cseq};rport\r\n"
            f"From: <sip:{user}@{sys.argv[2]}>;tag=seg{cseq}\r\n"
            f"To: <sip:{user}@{sys.argv[2]}>\r\n"
            f"Call-ID: segments-{call}@{ip}\r\n"
            f"CSeq: {cseq} REGISTER\r\n"
            f"Contact: <sip:SEP0011223344CC@{ip}:{local_port};transport=tcp>;"
            f"+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-0011223344cc>\";"
            f"+u.sip!devicename.ccm.cisco.com=\"SEP0011223344CC\";"
            f"+u.sip!model.ccm.cisco.com=\"36670\"\r\n"
            f"User-Agent: Cisco-CP8865/14.1.1\r\n"
            f"Expires: 3600\r\n{extra}"
            f"Content-Length: 0\r\n\r\n").encode()


def read_answer(sock, buffered):
    """One whole answer (no body: the registrar sends Content-Length: 0) from the stream."""
    while b"\r\n\r\n" not in buffered:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("the registrar closed the connection")
        buffered += chunk
    end = buffered.index(b"\r\n\r\n") + 4
    return buffered[:end], buffered[end:]


def main():
    phone, registrar = sys.argv[1], sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 5060
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # The port of the run before may still be in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.settimeout(10)
        sock.bind((phone, 25060))
        sock.connect((registrar, port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        local = sock.getsockname()[:2]
        auth = ('Authorization: Digest username="{}", realm="ccmsipline", '
                'nonce="6b8b4567327b23c6", uri="sip:cucm", response="0"\r\n')
        line1 = [register(201, "1003", local, port,
                          'Reason: SIP;cause=200;text="cisco-alarm:14 Last=reset-restart '
                          'Name=SEP0011223344CC Load=sip8845_65.14-1-1-0001-125"\r\n'),
                 register(202, "1003", local, port, auth.format("1003")),
                 register(203, "1003", local, port)]
        line2 = [register(301, "1004", local, port),
                 register(302, "1004", local, port, auth.format("1004")),
                 register(303, "1004", local, port)]
        half = len(line1[1]) // 2
        # (bytes to send, answers to wait for)
        writes = [(line1[0] + line1[1][:half], 1),  # a whole REGISTER and half the next
                  (line1[1][half:] + line2[0], 2),  # the rest of it and another whole one
                  (line2[1], 1), (line2[2], 1), (line1[2], 1)]
        rest = b""
        for data, answers in writes:
            sock.sendall(data)
            for _ in range(answers):
                answer, rest = read_answer(sock, rest)
                print(answer.split(b"\r\n", 1)[0].decode())


if __name__ == "__main__":
    main()
