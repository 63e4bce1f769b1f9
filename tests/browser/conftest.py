"""One running system, one headless Chromium and one seeded set of users for every console
test: starting either takes longer than the tests themselves.

Debian's `chromium` and `chromium-driver` drive the browser (`.ci/run` installs them); when
either is missing the tests fail saying so, they never skip. Screenshots are taken at
1366×768 on every run; `ERP_UPDATE_SCREENSHOTS=1` writes them over docs/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from erp_testing import months_back, unique
from erp_testing.system import ADMIN_PASSWORD, System, running_system

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # reported as a failure by the browser fixture, never a skip
    webdriver = None

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "chromium"
CHROMEDRIVER = "chromedriver"
WIDTH, HEIGHT = 1366, 768
PASSWORD = "console-test-password-1"
STAFF = ("sales", "warehouse", "support", "analyst")
WAIT = 15


def _page_size(driver, width: int, height: int) -> None:
    """The page's own size, whatever the headless window's chrome takes."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def _webdriver():
    if webdriver is None:
        pytest.fail("selenium is not installed: `make test` installs requirements-dev.txt")
    missing = [tool for tool in (CHROMIUM, CHROMEDRIVER) if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not found: the console's browser tests need Debian's "
            "chromium and chromium-driver (apt-get install -y chromium chromium-driver; "
            ".ci/run does this)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which(CHROMEDRIVER)))
    _page_size(driver, WIDTH, HEIGHT)
    return driver


@dataclass
class Seeded:
    """What the system holds before any test: a customer, two stocked products, a user per
    role, and three past months of loaded sales history."""

    customer_id: str
    customer_name: str
    skus: list[str]
    history: dict[str, str] = field(default_factory=dict)


def _seed(system: System) -> Seeded:
    skus = [unique("CHAIR-"), unique("DESK-")]
    system.create_stocked_product(skus[0], 40, price="149.00")
    system.create_stocked_product(skus[1], 10, price="300.00")
    name = f"Ada Lovelace {unique()}"
    billing = {"kind": "billing", "line1": "浦东新区世纪大道100号", "city": "上海",
               "postal_code": "200120", "country": "CN"}  # fmt: skip
    customer = {"name": name, "email": f"{unique()}@example.com",
                "company": "上海明远贸易有限公司", "addresses": [billing]}  # fmt: skip
    answer = system.call("POST", "/customers", json=customer)
    assert answer.status_code == 201, answer.text
    customer_id = answer.json()["id"]
    for role in (*STAFF, "customer"):
        user = {"username": f"{role}-user", "password": PASSWORD, "roles": [role]}
        if role == "customer":
            user["customer_id"] = customer_id
        made = system.call("POST", "/auth/users", json=user)
        assert made.status_code == 201, made.text
    # Placing needs the orders service to have heard of the customer and both products.
    system.place_first_order(customer_id, skus[0], 1, lines=1)
    system.place_first_order(customer_id, skus[1], 1, lines=1)
    return Seeded(customer_id, name, skus, _load_history(system, skus[0], customer["email"]))


def _load_history(system: System, sku: str, email: str) -> dict[str, str]:
    """Revenue of three whole months before this one, as the dashboard must draw them: three
    past orders of the customer, named by e-mail as an old system would, in capitals."""
    revenue = {}
    lines = []
    for day, amount in zip(months_back(3), ("1200.00", "800.00", "1500.00"), strict=True):
        lines.append(
            {"date": day.isoformat(), "sku": sku, "quantity": 4, "revenue": amount}
            | {"order_ref": f"OLD-{unique()}", "customer_ref": email.upper()}
        )
        revenue[f"{day:%b %Y}"] = amount
    answer = system.call("POST", "/analytics/history", json={"batch_id": unique(), "lines": lines})
    assert answer.status_code == 200, answer.text
    return revenue


class Console:
    """The browser on the console: sign in as a role, open pages, wait, take screenshots."""

    def __init__(self, driver, system: System, seeded: Seeded, shots: Path):
        self.driver = driver
        self.system = system
        self.seeded = seeded
        self.shots = shots
        self.url = system.gateway
        self.sessions: dict[str, list[dict]] = {}

    def open(self, path: str) -> None:
        self.driver.get(self.url + path)

    def sign_in(self, role: str) -> None:
        self.driver.delete_all_cookies()
        self.open("/sign-in")
        username, password = (
            ("admin", ADMIN_PASSWORD) if role == "admin" else (f"{role}-user", PASSWORD)
        )
        self.driver.find_element(By.ID, "username").send_keys(username)
        self.driver.find_element(By.ID, "password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        self.wait(lambda d: "/sign-in" not in d.current_url)
        self.sessions[role] = self.driver.get_cookies()

    def become(self, role: str) -> None:
        """Be signed in as `role` on its start page, reusing the cookies of an earlier
        sign-in (each sign-in costs the API an Argon2 hash)."""
        if role not in self.sessions:
            self.sign_in(role)
            return
        if not self.driver.current_url.startswith(self.url):
            self.open("/sign-in")  # cookies can be set only while on their site
        self.driver.delete_all_cookies()
        for cookie in self.sessions[role]:
            self.driver.add_cookie(cookie)
        self.open("/")

    def wait(self, condition, timeout: float = WAIT):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(condition)

    def find(self, css: str, timeout: float = WAIT):
        return self.wait(seen.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout)

    def type(self, css: str, text: str) -> None:
        """Type into a field as a person would, over whatever it held."""
        element = self.find(css)
        element.send_keys(Keys.CONTROL, "a")
        element.send_keys(text)

    def all(self, css: str) -> list:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text_of(self, css: str) -> str:
        return self.find(css).text

    def wait_text(self, css: str, text: str, timeout: float = WAIT) -> None:
        self.wait(seen.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), timeout)

    def nav(self) -> list[str]:
        return [link.text for link in self.driver.find_elements(By.CSS_SELECTOR, "header nav a")]

    @contextlib.contextmanager
    def width(self, width: int, height: int):
        """Pages at another size (a tablet's) for the `with` block."""
        _page_size(self.driver, width, height)
        try:
            yield
        finally:
            _page_size(self.driver, WIDTH, HEIGHT)

    def screenshot(self, name: str) -> Path:
        """The page as it is now, settled (no htmx request in flight), at 1366×768."""
        self.wait(
            lambda d: d.execute_script("return document.querySelector('.htmx-request') === null")
        )
        path = self.shots / f"{name}.png"
        self.driver.get_screenshot_as_file(str(path))
        return path

    def overflowing(self) -> list[str]:
        """What sticks out of the page to the right, making it scroll sideways: a form or
        table laid out wrong (the way the receipt form once broke unseen)."""
        return self.driver.execute_script(
            "const edge = document.documentElement.clientWidth;"
            "return [...document.querySelectorAll('main *')]"
            ".filter(e => e.getBoundingClientRect().right > edge + 1)"
            ".map(e => e.tagName + (e.id ? '#' + e.id : ''));"
        )

    def foreign_requests(self) -> list[str]:
        """Every URL this page loaded (itself, scripts, styles, htmx calls) that is not on
        the gateway's origin."""
        loaded = self.driver.execute_script(
            "return [location.href].concat("
            "performance.getEntriesByType('resource').map(e => e.name))"
        )
        origin = urlsplit(self.url)
        return [u for u in loaded if urlsplit(u)[:2] != (origin.scheme, origin.netloc)]

    def api(self) -> httpx.Client:
        return self.system.http


@pytest.fixture(scope="session")
def console_system(tmp_path_factory, amqp_url):
    # Every role signs in through the browser, from one address, within a minute.
    with running_system(
        tmp_path_factory.mktemp("console"), amqp_url, GATEWAY_LOGIN_RATE_LIMIT="120/minute"
    ) as system:
        yield system, _seed(system)


@pytest.fixture(scope="session")
def browser():
    driver = _webdriver()
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def console(console_system, browser, tmp_path_factory) -> Console:
    system, seeded = console_system
    if os.environ.get("ERP_UPDATE_SCREENSHOTS"):
        shots = REPO / "docs" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
    else:
        shots = tmp_path_factory.mktemp("screenshots")
    return Console(browser, system, seeded, shots)
