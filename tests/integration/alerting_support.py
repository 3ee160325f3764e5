"""What the alerting tests share: the seed-003 archive with its times moved, local HTTP receivers
(webhook, PagerDuty) and a real SMTP server (aiosmtpd), and a base case that starts a collector
with alerting and an agent replaying into it."""
import datetime
import http.server
import json
import mailbox
import os
import re
import subprocess
import threading

from harness import RegwatchTestCase, free_port, store_rows, wait_for


ARCHIVE = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "demo", "sample-syslog.log")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, where python3-aiosmtpd is installed
BURST_START = datetime.datetime(2026, 11, 20, 9, 14, 20, tzinfo=datetime.timezone.utc)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def shifted_archive(path, burst_at, planned=False):
    """The archive with its CUCM and syslog times moved so the burst starts at burst_at."""
    delta = burst_at - BURST_START

    def header(m):
        t = datetime.datetime(2026, MONTHS.index(m[1]) + 1, int(m[2]), int(m[3]), int(m[4]), int(m[5]),
                              tzinfo=datetime.timezone.utc) + delta
        return f"{MONTHS[t.month - 1]} {t.day:2d} {t:%H:%M:%S}"

    def cucm(m):
        t = datetime.datetime(int(m[3]), MONTHS.index(m[1]) + 1, int(m[2]), int(m[4]), int(m[5]), int(m[6]),
                              int(m[7]) * 1000, tzinfo=datetime.timezone.utc) + delta
        return f"{MONTHS[t.month - 1]} {t.day} {t.year} {t:%H:%M:%S}.{t.microsecond // 1000:03d} UTC"

    out = []
    with open(ARCHIVE) as f:
        for line in f:
            line = re.sub(r"^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)", header, line)
            line = re.sub(r"(\w{3}) (\d+) (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}) UTC", cucm, line)
            if planned:
                line = line.replace("[Reason=13]", "[Reason=9]")
            out.append(line)
    with open(path, "w") as f:
        f.writelines(out)
    return path


def open_incident_archive(path, burst_at):
    """The burst with its phones never registering again: the incident stays open."""
    shifted_archive(path, burst_at)
    with open(path) as f:
        lines = [line for line in f if "EndPointRegistered" not in line or "Desk 0]" in line or "Desk 1]" in line]
    with open(path, "w") as f:
        f.writelines(lines)
    return path


class Receiver(http.server.ThreadingHTTPServer):
    """Records every POST (path, JSON body) and answers 202 like PagerDuty."""

    def __init__(self):
        self.posts = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    outer.posts.append((self.path, json.loads(body), self.headers.get("Content-Type")))
                self.send_response(202)
                self.end_headers()
                self.wfile.write(b'{"status":"success"}')

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def posted(self, path):
        with self.lock:
            return [body for p, body, _ in self.posts if p == path]


class AlertingBase(RegwatchTestCase):
    """Real receivers on loopback: an HTTP receiver for webhook and PagerDuty, an SMTP server."""

    def setUp(self):
        super().setUp()
        self.receiver = Receiver()
        self.addCleanup(self.receiver.server_close)
        self.addCleanup(self.receiver.shutdown)
        self.maildir = self.path("maildir")
        self.smtp_port = free_port()
        self.smtp = subprocess.Popen(
            [SYSTEM_PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.smtp_port}",
             "-c", "aiosmtpd.handlers.Mailbox", self.maildir],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(self.smtp.wait)
        self.addCleanup(self.smtp.kill)
        self.addCleanup(self.smtp.stderr.close)
        wait_for(lambda: os.path.isdir(os.path.join(self.maildir, "new")), 15, what="the SMTP server")

    def config(self, group_wait_s=1, dead_receiver=False):
        receivers = [
            f"""    - name: noc-webhook
      type: webhook
      url: {self.receiver.url('/hook')}""",
            f"""    - name: pager
      type: pagerduty
      url: {self.receiver.url('/pd')}
      routing_key_env: REGWATCH_TEST_PD_KEY""",
            f"""    - name: noc-mail
      type: email
      smtp_url: smtp://127.0.0.1:{self.smtp_port}
      starttls: false
      from: regwatch@example.net
      to: [noc@example.net, oncall@example.net]""",
        ]
        if dead_receiver:  # nothing listens there: every attempt fails
            receivers.insert(0, f"""    - name: dead
      type: webhook
      url: http://127.0.0.1:{free_port()}/hook
      timeout_s: 2""")
        path = self.path("collector.yaml")
        with open(path, "w") as f:
            f.write("alerting:\n  conditions: []\n  external_labels: {site: lab-1}\n  group_wait_s: %d\n  retry_min_s: 1\n  receivers:\n%s\n"
                    % (group_wait_s, "\n".join(receivers)))
        return path

    def start(self, config, db=None, name="collector"):
        os.environ["REGWATCH_TEST_PD_KEY"] = "test-routing-key-0123456789"
        return self.start_collector(extra=["--config", config], db=db, name=name)

    def replay(self, collector, archive):
        agent = self.start_agent(collector.address, extra=["--replay-syslog", archive], agent_id="archive")
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())

    def mails(self):
        return list(mailbox.Maildir(self.maildir, create=False))

    def outbox(self):
        return store_rows(self.path("regwatch.db"),
                          "SELECT receiver, status, delivered_us IS NOT NULL, attempts, last_error "
                          "FROM alert_outbox ORDER BY receiver, status")
