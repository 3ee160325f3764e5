"""The dashboard in a real browser (Debian's chromium, headless, through chromedriver): a
collector with tokens and HTTP on loopback, fed the CPU-spike burst through an agent. The
incident shows within 2 s of being stored with its top cause; clicking it opens the postmortem
with its evidence; the search finds a phone by a MAC written with colons; a viewer's token
cannot create a silence and the page says why, an operator's can; the console stays clean.
A screenshot of each page is kept in $REGWATCH_TEST_ARTIFACTS (default:
<build>/Testing/artifacts/dashboard)."""
import base64
import datetime
import json
import os
import time
import unittest
import urllib.error
import urllib.request

import browser_support
from alerting_support import open_incident_archive
from harness import BUILD, RegwatchTestCase, wait_for

VIEWER = "viewer-token-dashboard-1234"
OPERATOR = "operator-token-dashboard-1234"
AGENT_TOKEN = "agent-token-dashboard-1234"
PHONE = "SEP00179484161D"  # Desk 36 of the burst: it stays down in the open incident
PHONE_MAC_COLONS = "00:17:94:84:16:1d"
ARTIFACTS = os.environ.get("REGWATCH_TEST_ARTIFACTS", os.path.join(BUILD, "Testing", "artifacts", "dashboard"))

if browser_support.HAVE_SELENIUM:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

# Records, in the page, when each incident card first appears (the browser's clock, which is
# the collector's: same machine), so "within 2 s of being stored" is measured where it is seen.
WATCH_CARDS = """
window.__cardSeen = window.__cardSeen || {};
new MutationObserver(() => {
  for (const el of document.querySelectorAll('[data-incident-id]')) {
    if (!(el.dataset.incidentId in window.__cardSeen)) window.__cardSeen[el.dataset.incidentId] = Date.now();
  }
}).observe(document.body, {subtree: true, childList: true});
"""


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def rfc3339_ms(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000


@unittest.skipIf(browser_support.missing(), f"no browser to drive: {browser_support.missing()}")
class DashboardTest(RegwatchTestCase):
    def setUp(self):
        super().setUp()
        os.makedirs(ARTIFACTS, exist_ok=True)
        config = self.path("collector.yaml")
        with open(config, "w") as f:
            f.write("tokens:\n  burst: " + AGENT_TOKEN + "\n"
                    "access_tokens:\n"
                    f"  - {{name: noc-wall, role: viewer, token: {VIEWER}}}\n"
                    f"  - {{name: noc-alice, role: operator, token: {OPERATOR}}}\n"
                    "alerting:\n  conditions: []\n  group_wait_s: 1\n  receivers: []\n")
        self.collector = self.start_collector(extra=["--config", config])  # HTTP on a port of its own choosing
        self.assertTrue(self.collector.http_url, self.collector.stdout())
        self.base = self.collector.http_url.rstrip("/")
        wait_for(lambda: self.http_status("/-/ready") == 200, 30, what="the collector's HTTP side to be ready")
        self.browser = browser_support.start_chromium(1920, 1080, profile_dir=self.path("chromium-profile"))
        self.addCleanup(self.browser.quit)
        self.console = []

    # --- the API, read directly to know what the page should show -------------------------

    def http_status(self, path):
        try:
            with urllib.request.urlopen(self.base + path, timeout=2) as reply:
                return reply.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return None

    def api(self, method, path, token=VIEWER, body=None):
        request = urllib.request.Request(self.base + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                return reply.status, json.loads(reply.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def open_incidents(self):
        status, body = self.api("GET", "/api/v1/incidents?state=open")
        return body.get("incidents", []) if status == 200 else []

    # --- the browser -----------------------------------------------------------------------

    def wait(self, condition, timeout=10, what="the page"):
        try:
            return WebDriverWait(self.browser, timeout, poll_frequency=0.05).until(lambda d: condition())
        except Exception as e:  # TimeoutException says nothing useful: say what was awaited
            self.browser.save_screenshot(os.path.join(ARTIFACTS, "failure.png"))
            raise AssertionError(f"timed out after {timeout}s waiting for {what}") from e

    def find(self, css):
        return self.browser.find_elements(By.CSS_SELECTOR, css)

    def fresh(self, css, act, what):
        """act(element) on the first element css names as the page has it now, again until it
        answers: live panels re-render, so an element found a moment ago may be gone (stale)."""
        def acted():
            try:
                found = self.find(css)
                return found and (act(found[0]) or True)
            except StaleElementReferenceException:
                return False
        return self.wait(acted, what=what)

    def visible_text(self, css):
        found = self.find(css)
        return found[0].text if found and found[0].is_displayed() else ""

    def screenshot(self, name):
        """The whole page (not only the 1920x1080 viewport), at most 4000 px tall, once every
        panel has its answer."""
        self.wait(lambda: "loading…" not in self.browser.execute_script("return document.body.innerText"),
                  what=f"every panel answered before the {name} screenshot")
        path = os.path.join(ARTIFACTS, f"{name}.png")
        height = self.browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["height"]
        # The window's width, scrollbar included: beyond the viewport the page has no scrollbar.
        width = self.browser.execute_script("return window.innerWidth")
        shot = self.browser.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 4000), "scale": 1}})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return path

    def drain_console(self):
        self.console += self.browser.get_log("browser")

    def give_token(self, token):
        """The page asks for a token once (its own form): answer it."""
        self.wait(lambda: self.find("#token-input"), what="the token form")
        self.find("#token-input")[0].send_keys(token)
        self.find("#token-submit")[0].click()
        self.wait(lambda: not self.find("#token-overlay"), what="the token form to close")

    # --- the test ---------------------------------------------------------------------------

    def test_a_burst_seen_live_explained_searched_and_silenced_in_the_browser(self):
        self.browser.get(self.base + "/")
        self.give_token(VIEWER)
        self.wait(lambda: "No open incidents" in self.visible_text("#panel-incidents"), what="the empty incident list")
        self.wait(lambda: self.visible_text("#live-state") == "● live", what="the incident stream")
        self.browser.execute_script(WATCH_CARDS)

        # The burst, through an agent with its own token; the phones stay down: the incident stays open.
        archive = open_incident_archive(self.path("burst.log"), utc_now() - datetime.timedelta(seconds=40))
        agent = self.start_agent(self.collector.address, agent_id="burst",
                                 extra=["--replay-syslog", archive, "--token", AGENT_TOKEN])
        self.assertEqual(agent.proc.wait(timeout=120), 0, agent.stderr())
        incident = wait_for(lambda: self.open_incidents(), 30, what="the incident in the API")[0]
        stored_at = time.time() * 1000  # the API's answer is an upper bound on when it was stored
        status, doc = self.api("GET", "/api/v1/incidents/" + urllib.request.quote(incident["id"], safe=""))
        self.assertEqual(status, 200, doc)
        if doc.get("updates"):
            stored_at = min(stored_at, rfc3339_ms(doc["updates"][0]["at"]))
        card_css = f'[data-incident-id="{incident["id"]}"]'
        self.wait(lambda: self.find(card_css), 10, what="the incident card")
        seen_at = self.browser.execute_script("return window.__cardSeen[arguments[0]]", incident["id"])
        self.assertLessEqual(seen_at - stored_at, 2000, f"the card showed {seen_at - stored_at:.0f} ms after the store")
        print(f"the incident showed {seen_at - stored_at:.0f} ms after it was stored")
        card_text = []
        self.fresh(card_css, lambda card: card_text.append(card.text), what="the card's text")
        self.assertIn("cm_cpu", card_text[-1])  # the top cause, with its explanation and what to check first
        self.assertIn(incident["causes"][0]["explanation"], card_text[-1])
        self.assertIn("Check first:", card_text[-1])
        self.assertIn(str(incident["phone_count"]), card_text[-1])
        self.screenshot("now")

        # Click through to the postmortem: causes with their evidence, the timeline, the report.
        self.fresh(card_css, lambda card: card.click(), what="a click on the incident card")
        self.wait(lambda: self.find("#causes .cause-item"), what="the postmortem's causes")
        top = self.find("#causes .cause-item")[0]
        self.assertIn("cm_cpu", top.text)
        evidence_ids = incident["causes"][0]["evidence"]
        self.assertTrue(evidence_ids)
        for event_id in evidence_ids:
            item = self.find(f'#causes .cause-item.top .evidence-list [data-event-id="{event_id}"]')
            self.assertTrue(item, f"evidence event {event_id} listed under the top cause")
            self.assertIn("cpu_pegging", item[0].text)
            self.assertTrue(self.find(f'#timeline tr.evidence[data-event-id="{event_id}"]'), "marked in the timeline")
        self.assertIn("by CM node", self.visible_text("#phones"))
        # Times read in the browser's zone; the UTC instant is on hover.
        first = self.find("#timeline time")[0]
        self.assertTrue(first.get_attribute("title").endswith(" UTC"), first.get_attribute("title"))
        self.assertEqual(first.get_attribute("datetime")[:19], doc["timeline"][0]["event_time"][:19])
        self.browser.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": self.base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        self.find("#copy-markdown")[0].click()
        self.wait(lambda: "Copied" in self.visible_text("#copy-status"), what="the report to be copied")
        copied = self.browser.execute_async_script(
            "const done = arguments[0]; navigator.clipboard.readText().then(done, (e) => done('error: ' + e))")
        self.assertTrue(copied.startswith("# Incident " + incident["id"]), copied[:200])
        self.screenshot("incident")

        # Find a phone of the burst by its MAC written with colons.
        search = self.find("#search")[0]
        search.send_keys(PHONE_MAC_COLONS + "\n")
        self.wait(lambda: self.browser.current_url.endswith("#/phone/" + PHONE), what="the phone page")
        self.wait(lambda: PHONE in self.visible_text(".phone-head h1"), what="the phone explained")
        self.wait(lambda: "unregistered" in self.visible_text(".phone-head h1").lower(), what="its state")
        self.assertIn("KeepAliveTimeout", self.visible_text("#explain"))
        self.assertTrue(self.find("#phone-incident .incident-link"))
        self.screenshot("phone")
        # And by its description: the server's search answers; one match opens the phone.
        self.find(".brand")[0].click()
        self.wait(lambda: self.browser.current_url.endswith("#/"), what="the Now view")
        search = self.find("#search")[0]
        search.clear()
        search.send_keys("Desk 36\n")
        self.wait(lambda: self.browser.current_url.endswith("#/phone/" + PHONE) or
                  PHONE in self.visible_text("#search-results"), what="the phone found by its description")
        if not self.browser.current_url.endswith("#/phone/" + PHONE):  # several matched: pick it
            self.find(f'#search-results a[href="#/phone/{PHONE}"]')[0].click()
            self.wait(lambda: self.browser.current_url.endswith("#/phone/" + PHONE), what="the phone page")

        # A viewer may not silence: the page shows the API's own refusal and disables the form.
        refusal_status, refusal = self.api("POST", "/api/v1/silences", VIEWER,
                                           {"matchers": ["alertname=RegistrationBurst"], "until": "1h", "comment": "probe"})
        self.assertEqual(refusal_status, 403)
        self.find(".brand")[0].click()
        self.wait(lambda: self.find("#silence-form"), what="the silence form")
        self.find("#silence-matchers")[0].send_keys("alertname=RegistrationBurst")
        self.find("#silence-comment")[0].send_keys("viewer tries")
        self.find("#silence-submit")[0].click()
        self.wait(lambda: refusal["error"] in self.visible_text("#silence-status"), what="the refusal on the page")
        self.assertFalse(self.find("#silence-submit")[0].is_enabled(), "the form is disabled for a viewer")
        self.screenshot("silence-refused")
        status, silences = self.api("GET", "/api/v1/silences")
        self.assertEqual(silences["silences"], [])

        # An operator's token (given through the same form, after "change token") may.
        self.drain_console()
        self.find("#token-change")[0].click()
        self.give_token(OPERATOR)
        self.wait(lambda: self.find("#silence-submit") and self.find("#silence-submit")[0].is_enabled(),
                  what="the silence form enabled for an operator")
        self.find("#silence-matchers")[0].send_keys("alertname=RegistrationBurst\nscope=~ucm-.*")
        self.find("#silence-comment")[0].send_keys("CHG0042 CUCM patching")
        self.find("#silence-submit")[0].click()
        self.wait(lambda: "created" in self.visible_text("#silence-status"), what="the silence created")
        self.wait(lambda: "CHG0042 CUCM patching" in self.visible_text("#panel-silences"), what="the silence listed")
        status, silences = self.api("GET", "/api/v1/silences")
        self.assertEqual([s["comment"] for s in silences["silences"]], ["CHG0042 CUCM patching"])
        self.screenshot("silenced")

        # A past window shows in the same views (the incident started in it).
        t0 = (utc_now() - datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        t1 = utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
        self.browser.execute_script("location.hash = arguments[0]", f"#/?since={t0}&until={t1}")
        self.wait(lambda: self.find("#history-banner") and self.find(card_css), what="the incident in the window")
        self.screenshot("history")

        # A laptop's width: one column, nothing wider than the window.
        self.browser.set_window_size(1366, 768)
        self.browser.execute_script("location.hash = '#/'")
        self.wait(lambda: self.find(card_css) and self.find("#silence-form"), what="the Now view on a laptop")
        overflow = self.browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        self.assertLessEqual(overflow, 0, "the page scrolls sideways at 1366 px")
        self.screenshot("now-laptop")

        # Nothing in the console but the loads the page makes on purpose: its first call before
        # it has a token (401, twice: at the start and after "change token"), the viewer's
        # refused silence (403), and the endpoints this collector may not have yet (404: the
        # panel then says "not available", checked here too).
        self.drain_console()
        optional = {"/api/v1/drops": "#panel-drops", "/api/v1/cm_nodes": "#panel-cm-nodes",
                    "/api/v1/inputs": "#panel-agents", "/api/v1/phones?": None}
        missing = sorted({path for path in optional for e in self.console
                          if path in e.get("message", "") and "status of 404 " in e.get("message", "")})
        for path in missing:
            print(f"note: this collector has no {path.rstrip('?')} yet (404); the page said so")
            if optional[path]:
                self.assertIn("not available", self.visible_text(optional[path]))
        problems = browser_support.console_problems(
            self.console, [("/api/v1/", 401), ("/api/v1/silences", 403), *((path, 404) for path in optional)])
        self.assertEqual(problems, [], json.dumps(problems, indent=1))
        unauthorized = [e for e in self.console if "status of 401" in e.get("message", "")]
        self.assertLessEqual(len(unauthorized), 2, "the page asks for a token once, not once per panel")
        print(f"screenshots in {ARTIFACTS}")


if __name__ == "__main__":
    unittest.main()
