"""The newsroom web app in a real browser (Playwright driving headless Chromium against the live
server): sign-in, the form and its errors, publishing, a correction from two tabs, retraction,
hostile text, a cross-site form post, both languages, and axe-core's accessibility rules."""

import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_embeds import HOSTILE
from tests.conftest import MISSING, LiveServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason=f"{MISSING} no chromium on PATH (apt-get install chromium)"
    ),
]

if CHROMIUM is not None:
    from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator["Browser"]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


class Watch:
    """What a page did that it must not: dialogs opened, errors in the console (CSP violations
    among them), a script's global set."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []

    def attach(self, page: "Page") -> "Page":
        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def context(browser: "Browser", live_server: LiveServer) -> Iterator["BrowserContext"]:
    ctx = browser.new_context(base_url=live_server.url, locale="en-GB")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: "BrowserContext", watch: Watch, db: Any) -> "Page":
    return watch.attach(context.new_page())


def sign_in(page: "Page", key: str) -> None:
    page.goto("/app/sign-in")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Fact-checks")).to_be_visible()


def fill_review(page: "Page", **values: str) -> None:
    fields = {
        "Claim": "Drinking hot water cures the flu",
        "Claim language": "en",
        "Claimant": "A viral post",
        "Claim date": "2024-03-01",
        "Where the claim appeared": "https://x.com/someone/status/1790000000000000000",
        "Article URL": "https://verifact.example/checks/hot-water",
        "Headline": "No, hot water does not cure the flu",
        "Verdict": "False",
        "Rating value": "1",
        "Best rating": "5",
        "Worst rating": "1",
        "Summary": "Doctors say it soothes, it does not cure.",
        **values,
    }
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)


def review_id_of(page: "Page") -> int:
    return int(page.url.split("/app/reviews/")[1].split("?")[0])


class TestNewsroom:
    def test_sign_in_publish_with_a_live_preview(
        self, page: "Page", client: httpx.Client, editor_key: str, watch: Watch
    ) -> None:
        sign_in(page, editor_key)
        page.get_by_role("link", name="New fact-check").first.click()
        fill_review(page)
        preview = page.locator("#preview")
        expect(preview).to_contain_text('"@type": "ClaimReview"')
        expect(preview).to_contain_text("No, hot water does not cure the flu")
        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_role("status")).to_have_text("Published.")
        review = client.get(f"/v1/reviews/{review_id_of(page)}").json()
        assert review["status"] == "published"
        assert review["headline"] == "No, hot water does not cure the flu"
        page.get_by_role("link", name="Fact-checks").click()
        expect(page.get_by_role("link", name="Drinking hot water cures the flu")).to_be_visible()
        assert watch.errors == []

    def test_an_empty_form_shows_its_errors_at_the_fields(
        self, page: "Page", client: httpx.Client, editor_key: str
    ) -> None:
        sign_in(page, editor_key)
        page.goto("/app/reviews/new")
        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
        for label in ("Claim", "Claim language", "Article URL", "Verdict"):
            field = page.get_by_label(label, exact=True)
            expect(field).to_have_attribute("aria-invalid", "true")
            described = field.get_attribute("aria-describedby") or ""
            assert page.locator(f"#{described.split()[0]}").inner_text()
        assert page.url.endswith("/app/reviews/new")

    def test_a_correction_from_two_tabs_refuses_the_stale_one(
        self,
        page: "Page",
        context: "BrowserContext",
        client: httpx.Client,
        editor_key: str,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        review = make_review()
        sign_in(page, editor_key)
        other = context.new_page()
        page.goto(f"/app/reviews/{review['id']}")
        other.goto(f"/app/reviews/{review['id']}")
        page.get_by_label("Headline").fill("Corrected in the first tab")
        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_role("status")).to_have_text("Published.")
        other.get_by_label("Headline").fill("Written in the second tab")
        other.get_by_role("button", name="Publish").click()
        expect(other.get_by_role("alert")).to_contain_text("Someone changed this fact-check")
        stored = client.get(f"/v1/reviews/{review['id']}").json()
        assert stored["headline"] == "Corrected in the first tab"
        page.reload()
        history = page.locator(".history")
        expect(history).to_contain_text("No, the moon is not made of cheese")

    def test_retract(
        self,
        page: "Page",
        client: httpx.Client,
        editor_key: str,
        make_review: Callable[..., dict[str, Any]],
    ) -> None:
        review = make_review()
        sign_in(page, editor_key)
        page.goto(f"/app/reviews/{review['id']}")
        page.get_by_label("Reason for retraction").fill("A newer study contradicts it.")
        page.get_by_role("button", name="Retract").click()
        expect(page.get_by_role("status")).to_have_text("Retracted.")
        stored = client.get(f"/v1/reviews/{review['id']}").json()
        assert stored["status"] == "retracted"
        assert stored["retraction_reason"] == "A newer study contradicts it."
        expect(page.locator(".retraction")).to_contain_text("A newer study contradicts it.")
        expect(page.get_by_role("button", name="Retract")).to_have_count(0)

    def test_hostile_text_shows_literally_and_runs_nothing(
        self,
        page: "Page",
        editor_key: str,
        make_review: Callable[..., dict[str, Any]],
        watch: Watch,
    ) -> None:
        review = make_review(
            headline=HOSTILE,
            rating={"label": HOSTILE},
            claim={"text": HOSTILE, "language": "en", "claimant": {"name": HOSTILE}},
        )
        sign_in(page, editor_key)
        expect(page.get_by_role("link", name=HOSTILE.strip())).to_be_visible()
        page.goto(f"/app/reviews/{review['id']}")
        expect(page.get_by_label("Claim", exact=True)).to_have_value(HOSTILE)
        expect(page.locator("#preview .card")).to_contain_text("window.pwned=1")
        page.get_by_label("Summary").fill(
            '"><img src=x onerror="alert(1)"><script>alert(2)</script>'
        )
        expect(page.locator("#preview")).to_contain_text("alert(2)")
        page.goto("/app/reviews/new")
        fill_review(page, Claim='"><svg onload=alert(3)>', Headline="<script>alert(4)</script>")
        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_label("Headline")).to_have_value("<script>alert(4)</script>")
        assert page.evaluate("window.pwned") is None
        assert page.locator("img[src=x], svg").count() == 0
        assert watch.dialogs == []
        assert [e for e in watch.errors if "Content Security Policy" not in e] == []

    @pytest.mark.parametrize("attacker_host", ["localhost", "127.0.0.1"])
    def test_a_form_posted_from_another_origin_changes_nothing(
        self,
        page: "Page",
        context: "BrowserContext",
        live_server: LiveServer,
        client: httpx.Client,
        editor_key: str,
        attacker_host: str,
    ) -> None:
        sign_in(page, editor_key)
        target = f"{live_server.url}/app/reviews/new"
        fields = "".join(
            f'<input name="{name}" value="{value}">'
            for name, value in {
                "action": "publish",
                "claim": "Forged claim",
                "claim_language": "en",
                "url": "https://verifact.example/forged",
                "verdict": "True",
                "csrf": "guessed",
            }.items()
        )
        attack = f'<!doctype html><form method="post" action="{target}">{fields}<button>Go</button></form>'
        with AttackerSite(attack) as port:
            evil = context.new_page()
            evil.goto(f"http://{attacker_host}:{port}/")
            with evil.expect_navigation() as navigation:
                evil.get_by_role("button", name="Go").click()
            answer = navigation.value
            assert answer is not None
            # Another site: the SameSite cookie stays home, so the post is anonymous. The same
            # site on another port gets the cookie, and is refused for its origin and token.
            if attacker_host == "localhost":
                assert evil.url == f"{live_server.url}/app/sign-in"
            else:
                assert answer.status == 403
        page.goto("/app/")
        expect(page.get_by_text("No fact-check yet.")).to_be_visible()

    def test_french_from_the_browser_and_the_switch(
        self, browser: "Browser", live_server: LiveServer, editor_key: str, db: Any
    ) -> None:
        ctx = browser.new_context(base_url=live_server.url, locale="fr-FR")
        try:
            page = ctx.new_page()
            page.goto("/app/sign-in")
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            page.get_by_label("Clé d’API").fill(editor_key)
            page.get_by_role("button", name="Se connecter").click()
            page.get_by_role("link", name="Nouvelle vérification").first.click()
            expect(page.get_by_label("Où l’affirmation est apparue")).to_be_visible()
            expect(page.get_by_role("button", name="Enregistrer le brouillon")).to_be_visible()
            page.get_by_role("link", name="English").click()
            expect(page.get_by_label("Where the claim appeared")).to_be_visible()
            page.goto("/app/")
            expect(page.get_by_role("link", name="New fact-check").first).to_be_visible()
        finally:
            ctx.close()


class _Attacker(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


class AttackerSite:
    """A page of another origin, served on a free port of 127.0.0.1."""

    def __init__(self, page: str) -> None:
        handler = type("Handler", (_Attacker,), {"body": page.encode()})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> int:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return int(self.server.server_address[1])

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class TestAccessibility:
    """axe-core in each page: no serious or critical violation."""

    def axe(self, page: "Page") -> list[str]:
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        return [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]

    def test_every_page(
        self,
        browser: "Browser",
        live_server: LiveServer,
        admin_key: str,
        make_review: Callable[..., dict[str, Any]],
        db: Any,
    ) -> None:
        review = make_review()
        # The checker is injected as a script: the test's context lets it past the page's CSP.
        ctx = browser.new_context(base_url=live_server.url, bypass_csp=True)
        try:
            page = ctx.new_page()
            found: dict[str, list[str]] = {}
            page.goto("/app/sign-in")
            found["sign-in"] = self.axe(page)
            sign_in(page, admin_key)
            found["dashboard"] = self.axe(page)
            page.goto("/app/reviews/new")
            found["form"] = self.axe(page)
            page.get_by_role("button", name="Publish").click()
            expect(page.get_by_role("alert")).to_be_visible()
            found["form with errors"] = self.axe(page)
            page.goto(f"/app/reviews/{review['id']}")
            found["correction"] = self.axe(page)
            page.goto("/app/import")
            found["import"] = self.axe(page)
            page.goto("/app/admin")
            found["admin"] = self.axe(page)
            page.goto("/app/sign-in?lang=fr")
            found["sign-in (fr)"] = self.axe(page)
        finally:
            ctx.close()
        assert {name: v for name, v in found.items() if v} == {}
