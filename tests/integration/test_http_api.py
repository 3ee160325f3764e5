"""The collector's HTTP JSON API (docs/http-api.md) against a real collector fed the sample burst
through a real agent: every endpoint answers what the CLI answers over gRPC, with good and bad
input; tokens and roles as on gRPC (401 without or with a wrong token, 403 for an agent's token
and for a viewer writing); the live stream tells of the incident; the probes, /metrics and the
OpenAPI document are served."""
import datetime
import http.client
import json
import os
import threading
import unittest
import urllib.parse

from harness import RegwatchTestCase, wait_for

ARCHIVE = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "demo", "sample-syslog.log")
VIEWER, OPERATOR, AGENT_TOKEN = "viewer-token-1234", "operator-token-1234", "agent-token-1234"


class HttpApiTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        with open(self.path("collector.yaml"), "w") as f:
            f.write(f"tokens:\n  archive: {AGENT_TOKEN}\n"
                    "access_tokens:\n"
                    f"  - {{name: noc-wall, role: viewer, token: {VIEWER}}}\n"
                    f"  - {{name: alice, role: operator, token: {OPERATOR}}}\n")
        self.collector = self.start_collector(extra=["--config", self.path("collector.yaml")])
        self.assertTrue(self.collector.http_url, self.collector.stdout())
        self.host = urllib.parse.urlparse(self.collector.http_url).netloc

    def request(self, method, path, token=VIEWER, body=None):
        conn = http.client.HTTPConnection(self.host, timeout=30)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read().decode()
        conn.close()
        return response.status, response.getheader("Content-Type", ""), data

    def get_json(self, path, token=VIEWER, status=200):
        code, ctype, data = self.request("GET", path, token)
        self.assertEqual(code, status, f"GET {path}: {data}")
        self.assertTrue(ctype.startswith("application/json"), ctype)
        return json.loads(data)

    def cli_json(self, *args):
        return json.loads(self.cli(self.collector.address, "--token", VIEWER, *args, "--format", "json").stdout)

    def replay(self):
        agent = self.start_agent(self.collector.address, agent_id="archive",
                                 extra=["--replay-syslog", ARCHIVE, "--token", AGENT_TOKEN])
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        return wait_for(lambda: self.get_json("/api/v1/incidents?since=2020-01-01T00:00:00Z")["incidents"], 30,
                        what="the incident over HTTP")

    def test_answers_are_the_clis(self):
        incidents = self.replay()
        self.assertEqual(incidents, self.cli_json("incidents", "--since", "2020-01-01T00:00:00Z"))
        incident = incidents[0]
        self.assertEqual(incident["causes"][0]["kind"], "cm_cpu")
        path_id = urllib.parse.quote(incident["id"], safe="")
        view = self.get_json(f"/api/v1/incidents/{path_id}")
        self.assertEqual(view, self.cli_json("incident", incident["id"]))
        code, ctype, markdown = self.request("GET", f"/api/v1/incidents/{path_id}?format=markdown")
        self.assertEqual(code, 200)
        self.assertTrue(ctype.startswith("text/markdown"), ctype)
        self.assertEqual(markdown, self.cli(self.collector.address, "--token", VIEWER, "incident", incident["id"]).stdout)
        device = incident["phones"][0]
        # The same diagnosis, "at" aside: each is as of the moment it was asked.
        explained, told = self.get_json(f"/api/v1/phones/{device}"), self.cli_json("explain", device)
        explained.pop("at")
        told.pop("at")
        self.assertEqual(explained, told)
        self.assertEqual(self.get_json("/api/v1/top?since=2020-01-01T00:00:00Z"),
                         self.cli_json("top", "--since", "2020-01-01T00:00:00Z"))
        events = self.get_json("/api/v1/events?kind=cpu_pegging&since=2020-01-01T00:00:00Z")
        self.assertEqual(events["events"], self.cli_json("events", "--kind", "cpu_pegging", "--since", "2020-01-01T00:00:00Z"))
        self.assertEqual(len(events["events"]), 1)
        self.assertIn(events["events"][0]["id"], incident["causes"][0]["evidence"])
        status = self.get_json("/api/v1/status")
        self.assertEqual(status["total_events"], self.cli_json("status")["total_events"])
        self.assertEqual(self.get_json("/api/v1/alerts"), {"alerts": [], "truncated": False})

    def test_limits_are_honoured_and_said(self):
        self.replay()
        page = self.get_json("/api/v1/events?limit=5&since=2020-01-01T00:00:00Z")
        self.assertEqual(len(page["events"]), 5)
        self.assertTrue(page["truncated"])
        everything = self.get_json("/api/v1/events?limit=1000&since=2020-01-01T00:00:00Z")
        self.assertEqual(everything["events"][:5], page["events"])
        for bad in ("limit=0", "limit=1001", "limit=ten"):
            error = self.get_json(f"/api/v1/events?{bad}", status=400)["error"]
            self.assertIn("limit", error)

    def test_pages_by_cursor_neither_repeat_nor_skip(self):
        self.replay()
        everything = self.get_json("/api/v1/events?limit=1000&since=2020-01-01T00:00:00Z")["events"]
        self.assertGreater(len(everything), 20)
        paged, cursor = [], None
        while True:
            path = "/api/v1/events?limit=7&since=2020-01-01T00:00:00Z"
            if cursor:
                path += "&cursor=" + urllib.parse.quote(cursor, safe="")
            page = self.get_json(path)
            paged += page["events"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual([e["id"] for e in paged], [e["id"] for e in everything])
        self.assertIn("cursor", self.get_json("/api/v1/events?cursor=garbage", status=400)["error"])

    def test_the_dashboards_questions(self):
        incident = self.replay()[0]
        start = datetime.datetime.fromisoformat(incident["start_time"].replace("Z", "+00:00"))
        since = (start - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        until = (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        drops = self.get_json(f"/api/v1/drops?since={since}&until={until}&step=60")
        self.assertIn("network", drops["classes"])
        # Counted as top counts them (the drop rule): the burst's 38 and the refused registration.
        top = self.get_json(f"/api/v1/top?since={since}&until={until}")
        self.assertEqual(sum(p["drops"] for p in drops["points"]), top["drops"])
        self.assertGreaterEqual(top["drops"], incident["phone_count"])
        self.assertIn("step", self.get_json("/api/v1/drops?since=30d&step=1", status=400)["error"])
        inputs = self.get_json("/api/v1/inputs")["inputs"]
        self.assertIn("ucm-sub1.voice.example.net", [i["origin"] for i in inputs])
        self.assertTrue(all(i["agent"].startswith("archive") for i in inputs), inputs)
        self.assertEqual(self.get_json("/api/v1/cm_nodes")["cm_nodes"], [])
        device = incident["phones"][0]
        hex12 = device[3:].lower()
        colons = ":".join(hex12[i:i + 2] for i in range(0, 12, 2))
        found = self.get_json(f"/api/v1/phones?q={urllib.parse.quote(colons)}")
        self.assertEqual([p["device"] for p in found["phones"]], [device])
        self.assertEqual(found["matched_as"], "mac")
        self.assertIn("q", self.get_json("/api/v1/phones", status=400)["error"])

    def test_bad_input_is_a_4xx_that_says_why(self):
        cases = [
            ("/api/v1/events?since=yesterday", 400, "since"),
            ("/api/v1/events?kind=phone_gone", 400, "unknown kind 'phone_gone'"),
            ("/api/v1/events?devcie=SEP0017943A98BA", 400, "unknown parameter 'devcie'"),
            ("/api/v1/incidents?state=opne", 400, "'opne'"),
            ("/api/v1/top?since=1h&until=2h", 400, "not after since"),
            ("/api/v1/incidents/cm_node%3Aucm-x%401", 404, ""),
            ("/api/v1/phones/SEP000000000000", 404, "SEP000000000000"),
            ("/api/v1/nothing-here", 404, "no such path"),
        ]
        for path, status, words in cases:
            body = self.get_json(path, status=status)
            self.assertIn("error", body, path)
            self.assertIn(words, body["error"], path)

    def test_tokens_and_roles(self):
        self.assertEqual(self.request("GET", "/api/v1/incidents", token=None)[0], 401)
        self.assertEqual(self.request("GET", "/api/v1/incidents", token="guess")[0], 401)
        code, _, data = self.request("GET", "/api/v1/incidents", token=AGENT_TOKEN)
        self.assertEqual(code, 403)
        self.assertIn("viewer or operator", json.loads(data)["error"])
        silence = {"matchers": ["alertname=RegistrationBurst"], "for": "2h", "comment": "CHG0042 patching"}
        code, _, data = self.request("POST", "/api/v1/silences", token=VIEWER, body=silence)
        self.assertEqual(code, 403)
        self.assertIn("operator", json.loads(data)["error"])
        self.assertEqual(self.get_json("/api/v1/silences")["silences"], [])
        code, _, data = self.request("POST", "/api/v1/silences", token=OPERATOR, body=silence)
        self.assertEqual(code, 201, data)
        made = json.loads(data)
        self.assertEqual(made["author"], "alice")
        listed = self.get_json("/api/v1/silences")["silences"]
        self.assertEqual([s["id"] for s in listed], [made["id"]])
        self.assertEqual(self.request("DELETE", f"/api/v1/silences/{made['id']}", token=VIEWER)[0], 403)
        code, _, data = self.request("DELETE", f"/api/v1/silences/{made['id']}", token=OPERATOR)
        self.assertEqual(code, 200, data)
        self.assertEqual(self.get_json("/api/v1/silences")["silences"], [])
        code, _, data = self.request("POST", "/api/v1/silences", token=OPERATOR, body={"matchers": ["x"]})
        self.assertEqual(code, 400)
        self.assertIn("matchers", json.loads(data)["error"])

    def test_probes_metrics_and_openapi_are_open(self):
        for path in ("/-/healthy", "/-/ready", "/metrics"):
            code, _, _ = self.request("GET", path, token=None)
            self.assertEqual(code, 200, path)
        code, ctype, data = self.request("GET", "/api/v1/openapi.json", token=None)
        self.assertEqual(code, 200)
        spec = json.loads(data)
        self.assertEqual(spec["openapi"][:2], "3.")
        for path in ("/api/v1/incidents", "/api/v1/incidents/{id}", "/api/v1/events", "/api/v1/phones/{device}",
                     "/api/v1/phones", "/api/v1/top", "/api/v1/alerts", "/api/v1/silences", "/api/v1/status",
                     "/api/v1/drops", "/api/v1/cm_nodes", "/api/v1/inputs", "/api/v1/stream"):
            self.assertIn(path, spec["paths"])
        code, ctype, page = self.request("GET", "/", token=None)
        self.assertEqual(code, 200)
        self.assertTrue(ctype.startswith("text/html"), ctype)

    def test_the_stream_tells_of_a_new_incident(self):
        conn = http.client.HTTPConnection(self.host, timeout=60)
        conn.request("GET", "/api/v1/stream", headers={"Authorization": f"Bearer {VIEWER}"})
        response = conn.getresponse()
        self.assertEqual(response.status, 200)
        self.assertTrue(response.getheader("Content-Type").startswith("text/event-stream"))
        seen = []
        told = threading.Event()

        def read():
            for raw in response:
                line = raw.decode().strip()
                seen.append(line)
                if line == "event: incidents":
                    told.set()
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        wait_for(lambda: "event: hello" in seen, 10, what="the stream's hello")
        self.replay()
        self.assertTrue(told.wait(30), f"no incidents event on the stream: {seen}")
        conn.close()

    def test_a_stream_needs_a_token(self):
        self.assertEqual(self.request("GET", "/api/v1/stream", token=None)[0], 401)


if __name__ == "__main__":
    unittest.main()
