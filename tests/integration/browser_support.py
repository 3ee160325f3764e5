"""A real browser for the dashboard tests: Debian's chromium, headless, driven through
chromedriver by selenium. Only loopback traffic: the flags below stop chromium's own calls home
(on a machine with no internet they would only flood refused connections)."""
import importlib.util
import os
import shutil
import sys
import tempfile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-extensions", "--mute-audio"]

if importlib.util.find_spec("selenium") is None:
    # ctest may run a Python of its own (pyenv); Debian's python3-selenium is for the same
    # Python 3 minor version and pure Python, so its directory can be borrowed.
    sys.path.append("/usr/lib/python3/dist-packages")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False


def missing():
    """Why a browser test cannot run here, or None when it can."""
    if not os.access(CHROMIUM, os.X_OK):
        return "chromium is not installed (Debian package chromium)"
    if not os.access(CHROMEDRIVER, os.X_OK):
        return "chromedriver is not installed (Debian package chromium-driver)"
    if not HAVE_SELENIUM:
        return "selenium is not installed (Debian package python3-selenium)"
    return None


def start_chromium(width=1920, height=1080, profile_dir=None):
    """A headless chromium with a fresh profile, its console kept for get_log("browser")."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = profile_dir or tempfile.mkdtemp(prefix="regwatch-chromium-")
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(CHROMEDRIVER, log_path=os.devnull)
    return webdriver.Chrome(service=service, options=options)


def console_problems(entries, allowed_network=()):
    """The browser log's errors and warnings, less the failed loads the page makes on purpose.

    allowed_network: (url substring, status) pairs: the page's first call before it has a
    token (401), a viewer's refused write (403). Anything else from the network, and every
    JavaScript error or console.error, is a problem."""
    problems = []
    for e in entries:
        if e.get("level") not in ("SEVERE", "WARNING"):
            continue
        message = e.get("message", "")
        if e.get("source") == "network" and any(
                part in message and f"status of {status} " in message for part, status in allowed_network):
            continue
        problems.append(e)
    return problems
