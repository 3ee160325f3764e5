"""The SIP messages of the simulator's SIP phones and registrar: a Cisco phone's REGISTER (with
the Contact parameters and the Reason header Cisco phones send, ../shared/domain/FACTS.md section
9), the registrar's 401 / 200 / 403 answers, RFC 2617 digest (MD5, no qop), and the little
parsing both ends need (start line, headers, Content-Length framing on TCP).
"""

import hashlib
import re

REALM = "regwatch-sim"
PASSWORD = "cisco"
USER_AGENT = "Cisco-CP8845/14.2.1"
LOAD = "sip88xx.14-2-1-0001-14"
MODEL = "36217"  # the model id CUCM gives the 8845
MAX_HEAD = 16 * 1024


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def digest_response(user, nonce, method, uri):
    ha1 = md5(f"{user}:{REALM}:{PASSWORD}")
    ha2 = md5(f"{method}:{uri}")
    return md5(f"{ha1}:{nonce}:{ha2}")


class Registration:
    """What a phone puts in each REGISTER of one registration (one Call-ID)."""

    __slots__ = ("phone", "call_id", "from_tag", "cseq", "nonce")

    def __init__(self, phone, call_id, from_tag):
        self.phone = phone
        self.call_id = call_id
        self.from_tag = from_tag
        self.cseq = 0
        self.nonce = None


def register_request(reg, branch, expires, reason_last=None):
    """One REGISTER of reg's phone (the next CSeq), with credentials once a nonce is known."""
    p = reg.phone
    reg.cseq += 1
    cm_ip, cm_port = p.sim.sip_connect
    uri = f"sip:{cm_ip}"
    transport = p.transport.upper()
    mac = p.mac.hex()
    lines = [
        f"REGISTER {uri} SIP/2.0",
        f"Via: SIP/2.0/{transport} {p.local_ip}:{p.port};branch={branch}",
        f"From: <sip:{p.dn}@{cm_ip}>;tag={reg.from_tag}",
        f"To: <sip:{p.dn}@{cm_ip}>",
        f"Call-ID: {reg.call_id}",
        f"CSeq: {reg.cseq} REGISTER",
        "Max-Forwards: 70",
        f"Contact: <sip:{mac}@{p.local_ip}:{p.port};transport={p.transport}>"
        f';+sip.instance="<urn:uuid:00000000-0000-0000-0000-{mac}>"'
        f';+u.sip!devicename.ccm.cisco.com="{p.name}"'
        f';+u.sip!model.ccm.cisco.com="{MODEL}"',
        f"User-Agent: {USER_AGENT}",
        f"Expires: {expires}",
    ]
    if reason_last:
        lines.append(f'Reason: SIP;cause=200;text="cisco-alarm:25 Name={p.name} Load={LOAD} '
                     f'Last={reason_last}"')
    if reg.nonce is not None:
        response = digest_response(p.dn, reg.nonce, "REGISTER", uri)
        lines.append(f'Authorization: Digest username="{p.dn}",realm="{REALM}",'
                     f'nonce="{reg.nonce}",uri="{uri}",response="{response}",algorithm=MD5')
    lines += ["Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


class SipMessage:
    __slots__ = ("start", "headers", "body")

    def __init__(self, start, headers, body):
        self.start = start
        self.headers = headers  # lower-case name -> list of values
        self.body = body

    def header(self, name, default=None):
        values = self.headers.get(name.lower())
        return values[0] if values else default

    @property
    def is_request(self):
        return not self.start.startswith("SIP/2.0 ")

    @property
    def method(self):
        return self.start.split(" ", 1)[0]

    @property
    def status(self):
        parts = self.start.split(" ", 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    @property
    def cseq(self):
        value = self.header("cseq", "0")
        number = value.split()[0] if value.split() else "0"
        return int(number) if number.isdigit() else 0


COMPACT = {"v": "via", "f": "from", "t": "to", "m": "contact", "i": "call-id", "l": "content-length"}


def parse(data):
    """One whole message (bytes) into a SipMessage; ValueError when it is not SIP."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no header end")
    lines = head.decode("utf-8", "replace").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            continue
        name = name.strip().lower()
        headers.setdefault(COMPACT.get(name, name), []).append(value.strip())
    if not (lines[0].startswith("SIP/2.0 ") or lines[0].endswith(" SIP/2.0")):
        raise ValueError("not SIP")
    return SipMessage(lines[0], headers, body)


CONTENT_LENGTH = re.compile(rb"\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)", re.IGNORECASE)


def split_stream(buf):
    """Whole messages cut from a TCP stream: (list of bytes, rest). CRLF keep-alives are
    skipped; ValueError on a head over MAX_HEAD bytes."""
    out = []
    while True:
        stripped = buf.lstrip(b"\r\n")
        buf = stripped
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > MAX_HEAD:
                raise ValueError("head too long")
            return out, buf
        m = CONTENT_LENGTH.search(buf, 0, end + 2)
        length = int(m.group(1)) if m else 0
        total = end + 4 + length
        if len(buf) < total:
            return out, buf
        out.append(buf[:total])
        buf = buf[total:]


def response(request, status, reason, extra=(), to_tag=None):
    """An answer to request (a SipMessage) echoing its Via, From, To, Call-ID and CSeq."""
    lines = [f"SIP/2.0 {status} {reason}"]
    for via in request.headers.get("via", []):
        lines.append(f"Via: {via}")
    lines.append(f"From: {request.header('from', '')}")
    to = request.header("to", "")
    if to_tag and ";tag=" not in to:
        to += f";tag={to_tag}"
    lines.append(f"To: {to}")
    lines.append(f"Call-ID: {request.header('call-id', '')}")
    lines.append(f"CSeq: {request.header('cseq', '')}")
    lines += list(extra)
    lines += ["Server: Cisco-CUCM14.0", "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


AUTH_PARAM = re.compile(r'(\w+)="?([^",]*)"?')


def authorization(request):
    """The Authorization header's parameters as a dict; {} when absent."""
    value = request.header("authorization")
    if not value or not value.lower().startswith("digest "):
        return {}
    return dict(AUTH_PARAM.findall(value[7:]))


def expires_of(message):
    """The expiry a 200 grants: the Contact's ;expires=, else the Expires header; None if none."""
    contact = message.header("contact") or ""
    m = re.search(r";\s*expires\s*=\s*(\d+)", contact, re.IGNORECASE)
    if m:
        return int(m.group(1))
    value = message.header("expires")
    return int(value) if value and value.isdigit() else None


def nonce_of(message):
    value = message.header("www-authenticate") or ""
    m = re.search(r'nonce="([^"]*)"', value)
    return m.group(1) if m else None
