"""The web app over HTTP (no browser): sessions, cross-site posts, headers, forms, import, admin.
Every write is checked through the public API afterwards: the same data, the same rules."""

import html
import json
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

import httpx
import pytest
from sqlmodel import select

from app.storage.database import Database
from app.storage.tables import WebSession
from app.storage.types import utcnow
from app.web.security import CSP, SESSION_COOKIE, Signer
from tests.conftest import LiveServer, auth, review_body, serve
from tests.web.helpers import (
    csrf_of,
    errors_in,
    hidden,
    post_review,
    rejections_in,
    review_form,
    sign_in,
    warnings_in,
)


def reviews_of(client: httpx.Client, key: str) -> list[dict[str, Any]]:
    """The reviews the API shows this key (drafts included), through the search-free list."""
    page = client.get("/app/")
    ids = sorted({int(i) for i in re.findall(r'href="/app/reviews/(\d+)"', page.text)})
    return [client.get(f"/v1/reviews/{i}", headers=auth(key)).json() for i in ids]


class TestSignIn:
    def test_pages_need_a_session(self, client: httpx.Client) -> None:
        for path in ("/app/", "/app/reviews/new", "/app/import", "/app/admin"):
            response = client.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == "/app/sign-in"

    def test_editor_key_gives_an_httponly_strict_cookie_that_holds_no_secret(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        page = client.get("/app/sign-in")
        response = client.post("/app/sign-in", data={"csrf": csrf_of(page.text), "key": editor_key})
        assert response.status_code == 303
        assert response.headers["location"] == "/app/"
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
        )
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Path=/app/" in cookie
        assert "Max-Age=43200" in cookie  # 12 hours by default
        assert editor_key not in cookie
        assert editor_key not in response.headers.get("location", "")
        dashboard = client.get("/app/")
        assert dashboard.status_code == 200
        assert editor_key not in dashboard.text

    @pytest.mark.parametrize("role", ["importer", "partner"])
    def test_keys_that_cannot_write_reviews_cannot_sign_in(
        self, client: httpx.Client, make_key: Callable[..., str], role: str
    ) -> None:
        key = make_key(role)
        page = client.get("/app/sign-in")
        response = client.post("/app/sign-in", data={"csrf": csrf_of(page.text), "key": key})
        assert response.status_code == 401
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
        assert key not in response.text

    def test_unknown_key_is_refused_without_echoing_it(self, client: httpx.Client, db: Any) -> None:
        page = client.get("/app/sign-in")
        response = client.post(
            "/app/sign-in", data={"csrf": csrf_of(page.text), "key": "crk_guess"}
        )
        assert response.status_code == 401
        assert "crk_guess" not in response.text
        assert client.get("/app/").status_code == 303

    def test_sign_out_ends_the_session_in_the_browser(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = client.post("/app/sign-out", data={"csrf": csrf})
        assert response.status_code == 303
        assert client.get("/app/").status_code == 303

    def test_a_copy_of_the_cookie_is_refused_after_sign_out(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        copied = client.cookies[SESSION_COOKIE]
        assert client.post("/app/sign-out", data={"csrf": csrf}).status_code == 303
        client.cookies.set(SESSION_COOKIE, copied, path="/app/")
        response = client.get("/app/")
        assert response.status_code == 303
        assert response.headers["location"] == "/app/sign-in"
        assert client.get("/app/reviews/new").status_code == 303
        # Nor can the copy post a form: its session, and so its CSRF token, are gone.
        refused = post_review(client, csrf)
        assert refused.status_code == 303
        assert refused.headers["location"] == "/app/sign-in"

    def test_sign_out_holds_on_every_instance_sharing_the_database(
        self, client: httpx.Client, live_server: LiveServer, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        copied = client.cookies[SESSION_COOKIE]
        with serve(live_server.settings) as other, httpx.Client(base_url=other.url) as elsewhere:
            elsewhere.cookies.set(SESSION_COOKIE, copied, path="/app/")
            assert elsewhere.get("/app/").status_code == 200
            assert client.post("/app/sign-out", data={"csrf": csrf}).status_code == 303
            response = elsewhere.get("/app/")
            assert response.status_code == 303
            assert response.headers["location"] == "/app/sign-in"

    def test_signing_out_leaves_the_keys_other_sessions_open(
        self, client: httpx.Client, live_server: LiveServer, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        with httpx.Client(base_url=live_server.url) as other_browser:
            sign_in(other_browser, editor_key)
            assert client.post("/app/sign-out", data={"csrf": csrf}).status_code == 303
            assert client.get("/app/").status_code == 303
            assert other_browser.get("/app/").status_code == 200

    def test_a_signed_cookie_without_its_session_is_refused(
        self, client: httpx.Client, live_server: LiveServer, editor_key: str
    ) -> None:
        """The signature alone opens nothing: a session exists only once sign-in stored it."""
        sign_in(client, editor_key)
        key_id = client.cookies[SESSION_COOKIE].split(".")[0]
        signer = Signer((live_server.settings.token_secret or "").encode())
        unstored = signer.new_session(key_id, int(time.time()) + 3600, "never-stored")
        client.cookies.set(SESSION_COOKIE, unstored, path="/app/")
        assert client.get("/app/").status_code == 303

    def test_revoking_the_key_ends_its_sessions(
        self, client: httpx.Client, editor_key: str, admin_key: str
    ) -> None:
        sign_in(client, editor_key)
        assert client.get("/app/").status_code == 200
        key_id = next(
            k["id"]
            for k in client.get("/v1/api-keys", headers=auth(admin_key)).json()["api_keys"]
            if k["role"] == "editor"
        )
        assert client.delete(f"/v1/api-keys/{key_id}", headers=auth(admin_key)).status_code == 204
        response = client.get("/app/")
        assert response.status_code == 303
        assert response.headers["location"] == "/app/sign-in"

    def test_an_expired_session_is_refused(
        self, client: httpx.Client, db: Database, editor_key: str
    ) -> None:
        sign_in(client, editor_key)
        assert client.get("/app/").status_code == 200
        with db.unit_of_work() as session:
            for row in session.exec(select(WebSession)):
                row.expires_at = utcnow() - timedelta(seconds=1)
                session.add(row)
        response = client.get("/app/")
        assert response.status_code == 303
        assert response.headers["location"] == "/app/sign-in"

    def test_a_cookie_signed_as_expired_is_refused(
        self, client: httpx.Client, live_server: LiveServer, editor_key: str
    ) -> None:
        sign_in(client, editor_key)
        key_id, _, nonce, _ = client.cookies[SESSION_COOKIE].split(".")
        signer = Signer((live_server.settings.token_secret or "").encode())
        client.cookies.set(
            SESSION_COOKIE, signer.new_session(key_id, int(time.time()) - 1, nonce), path="/app/"
        )
        assert client.get("/app/").status_code == 303

    def test_signing_in_prunes_expired_sessions(
        self, client: httpx.Client, db: Database, editor_key: str
    ) -> None:
        sign_in(client, editor_key)
        with db.unit_of_work() as session:
            for row in session.exec(select(WebSession)):
                row.expires_at = utcnow() - timedelta(seconds=1)
                session.add(row)
        with httpx.Client(base_url=str(client.base_url)) as other_browser:
            sign_in(other_browser, editor_key)
        with db.session() as session:
            rows = session.exec(select(WebSession)).all()
        assert len(rows) == 1
        assert rows[0].expires_at > utcnow()

    def test_a_forged_session_is_refused(
        self, client: httpx.Client, editor_key: str, admin_key: str
    ) -> None:
        sign_in(client, editor_key)
        key_id, _, nonce, _ = client.cookies[SESSION_COOKIE].split(".")
        forged = Signer(b"another secret").new_session(key_id, int(time.time()) + 3600, nonce)
        client.cookies.set(SESSION_COOKIE, forged, path="/app/")
        assert client.get("/app/").status_code == 303


class TestCrossSitePosts:
    def test_a_post_without_the_csrf_token_changes_nothing(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        sign_in(client, editor_key)
        response = client.post("/app/reviews/new", data={"action": "publish", **review_form()})
        assert response.status_code == 403
        assert reviews_of(client, editor_key) == []

    def test_a_token_of_another_session_is_refused(
        self, client: httpx.Client, live_server: LiveServer, editor_key: str
    ) -> None:
        sign_in(client, editor_key)
        with httpx.Client(base_url=live_server.url) as other:
            other_csrf = sign_in(other, editor_key)
        response = post_review(client, other_csrf)
        assert response.status_code == 403
        assert reviews_of(client, editor_key) == []

    @pytest.mark.parametrize(
        "headers",
        [
            {"Origin": "https://attacker.example"},
            {"Origin": "null"},
            {"Sec-Fetch-Site": "cross-site"},
            {"Sec-Fetch-Site": "same-site"},
        ],
    )
    def test_a_post_from_another_origin_is_refused_even_with_the_token(
        self, client: httpx.Client, editor_key: str, headers: dict[str, str]
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = client.post(
            "/app/reviews/new",
            data={"csrf": csrf, "action": "publish", **review_form()},
            headers=headers,
        )
        assert response.status_code == 403
        assert reviews_of(client, editor_key) == []

    def test_a_same_origin_post_with_the_token_is_accepted(
        self, client: httpx.Client, live_server: LiveServer, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = client.post(
            "/app/reviews/new",
            data={"csrf": csrf, "action": "draft", **review_form()},
            headers={"Origin": live_server.url, "Sec-Fetch-Site": "same-origin"},
        )
        assert response.status_code == 303

    def test_the_public_url_is_this_sites_origin_behind_a_proxy(
        self, live_server: LiveServer, db: Database, editor_key: str
    ) -> None:
        # Behind a proxy that ends TLS the browser's origin is the public URL, not the address
        # the service sees.
        public = "http://facts.example"  # https would make the cookie Secure, unsent over http
        settings = live_server.settings.model_copy(update={"public_url": public})
        with serve(settings) as server, httpx.Client(base_url=server.url) as client:
            csrf = sign_in(client, editor_key)
            form = {"csrf": csrf, "action": "draft", **review_form()}
            response = client.post(
                "/app/reviews/new",
                data=form,
                headers={"Origin": public, "Sec-Fetch-Site": "same-origin"},
            )
            assert response.status_code == 303
            elsewhere = client.post(
                "/app/reviews/new",
                data=form,
                headers={"Origin": "https://other.example", "Sec-Fetch-Site": "same-origin"},
            )
            assert elsewhere.status_code == 403

    def test_sign_in_itself_needs_the_sign_in_page_token(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        response = client.post("/app/sign-in", data={"key": editor_key})
        assert response.status_code == 403
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


class TestHeaders:
    @pytest.mark.parametrize("path", ["/app/", "/app/reviews/new", "/app/import", "/app/admin"])
    def test_app_pages_have_a_strict_csp_and_are_never_stored(
        self, client: httpx.Client, admin_key: str, path: str
    ) -> None:
        sign_in(client, admin_key)
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert "<script>" not in response.text
        assert " style=" not in response.text
        assert re.findall(r"<script[^>]*>", response.text) == [
            '<script src="/app/static/app.js" defer>'
        ]

    def test_redirects_and_the_sign_in_page_carry_them_too(
        self, client: httpx.Client, db: Any
    ) -> None:
        for response in (client.get("/app/"), client.get("/app/sign-in")):
            assert response.headers["content-security-policy"] == CSP
            assert response.headers["cache-control"] == "no-store"

    def test_assets_are_served_by_the_service(self, client: httpx.Client, db: Any) -> None:
        script = client.get("/app/static/app.js")
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        assert client.get("/app/static/app.css").status_code == 200

    def test_the_app_is_not_part_of_the_api_description(
        self, client: httpx.Client, db: Any
    ) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        assert not [p for p in paths if p.startswith("/app")]


class TestFactCheckForm:
    def test_an_empty_form_shows_errors_at_its_fields_and_saves_nothing(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = client.post("/app/reviews/new", data={"csrf": csrf, "action": "publish"})
        assert response.status_code == 422
        errors = errors_in(response.text)
        assert {"claim", "claim_language", "url", "verdict"} <= set(errors)
        assert reviews_of(client, editor_key) == []

    def test_a_rating_that_is_not_a_number_is_named(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = post_review(client, csrf, rating_value="one")
        assert response.status_code == 422
        assert errors_in(response.text)["rating_value"] == ["Enter a number."]

    def test_the_domains_rules_apply_an_article_off_the_publishers_sites(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = post_review(client, csrf, url="https://elsewhere.example/check")
        assert response.status_code == 422
        assert errors_in(response.text)["url"] == ["elsewhere.example is not a site of 'verifact'"]

    def test_publish_stores_what_the_api_serves(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = post_review(client, csrf)
        assert response.status_code == 303
        review_id = int(response.headers["location"].split("/")[3].split("?")[0])
        review = client.get(f"/v1/reviews/{review_id}").json()
        assert review["status"] == "published"
        assert review["rating"] == {
            "label": "False",
            "value": 1.0,
            "best": 5.0,
            "worst": 1.0,
            "explanation": None,
        }
        claim = client.get(f"/v1/claims/{review['claim_id']}").json()
        assert claim["text"] == "The moon is made of cheese"
        assert [a["url"] for a in claim["appearances"]] == [
            "https://x.com/someone/status/1234567890",
            "https://example.org/post",
        ]
        markup = client.get(f"/v1/reviews/{review_id}/claimreview").json()
        assert markup["reviewRating"]["alternateName"] == "False"

    def test_a_draft_stays_private(self, client: httpx.Client, editor_key: str) -> None:
        csrf = sign_in(client, editor_key)
        response = post_review(client, csrf, action="draft")
        review_id = int(response.headers["location"].split("/")[3].split("?")[0])
        assert client.get(f"/v1/reviews/{review_id}").status_code == 404
        assert (
            client.get(f"/v1/reviews/{review_id}", headers=auth(editor_key)).json()["status"]
            == "draft"
        )

    def test_a_correction_keeps_the_earlier_state_and_a_stale_form_is_refused(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        location = post_review(client, csrf).headers["location"]
        review_id = int(location.split("/")[3].split("?")[0])
        first = client.get(f"/app/reviews/{review_id}").text
        second = client.get(f"/app/reviews/{review_id}").text  # another tab, same state
        corrected = client.post(
            f"/app/reviews/{review_id}",
            data={**hidden(first), "action": "publish", **review_form(headline="Corrected")},
        )
        assert corrected.status_code == 303
        stale = client.post(
            f"/app/reviews/{review_id}",
            data={**hidden(second), "action": "publish", **review_form(headline="Overwritten")},
        )
        assert stale.status_code == 409
        assert "Nothing was saved" in stale.text
        review = client.get(f"/v1/reviews/{review_id}").json()
        assert review["headline"] == "Corrected"
        revisions = client.get(f"/v1/reviews/{review_id}/revisions").json()["revisions"]
        assert [r["review"]["headline"] for r in revisions] == [
            "No, the moon is not made of cheese"
        ]
        page = client.get(f"/app/reviews/{review_id}").text
        assert "No, the moon is not made of cheese" in page.split("History")[1]

    def test_retract(self, client: httpx.Client, editor_key: str) -> None:
        csrf = sign_in(client, editor_key)
        review_id = int(post_review(client, csrf).headers["location"].split("/")[3].split("?")[0])
        page = client.get(f"/app/reviews/{review_id}").text
        reason = "The photo was <b>older</b> than the claim said."
        response = client.post(
            f"/app/reviews/{review_id}/retract", data={**hidden(page), "reason": reason}
        )
        assert response.status_code == 303
        stored = client.get(f"/v1/reviews/{review_id}", headers=auth(editor_key)).json()
        assert (stored["status"], stored["retraction_reason"]) == ("retracted", reason)
        assert client.get(f"/v1/reviews/{review_id}/claimreview").status_code == 410
        shown = client.get(f"/app/reviews/{review_id}").text
        assert "The photo was &lt;b&gt;older&lt;/b&gt; than the claim said." in shown

    def test_another_publishers_review_cannot_be_edited(
        self,
        client: httpx.Client,
        make_review: Callable[..., dict[str, Any]],
        make_publisher: Callable[..., str],
        make_key: Callable[..., str],
    ) -> None:
        review = make_review()
        make_publisher("other")
        csrf = sign_in(client, make_key("editor", "other"))
        assert client.get(f"/app/reviews/{review['id']}").status_code == 403
        response = client.post(
            f"/app/reviews/{review['id']}",
            data={
                "csrf": csrf,
                "etag": review["etag"],
                "action": "publish",
                **review_form(headline="Hijacked"),
            },
        )
        assert response.status_code == 403
        assert client.get(f"/v1/reviews/{review['id']}").json()["headline"] != "Hijacked"

    def test_preview_renders_the_markup_and_googles_warnings_without_storing(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        long_claim = "The moon " + "is made of a very old and very smelly cheese " * 3
        response = client.post("/app/preview", data={"csrf": csrf, **review_form(claim=long_claim)})
        assert response.status_code == 200
        assert "&#34;@type&#34;: &#34;ClaimReview&#34;" in response.text
        assert "claimReviewed" in response.text
        assert 'class="warning"' in response.text
        assert reviews_of(client, editor_key) == []
        assert client.get("/v1/search", params={"q": "smelly cheese"}).json()["results"] == []


class TestDashboard:
    def test_lists_only_the_publishers_own_newest_first_searchable_and_paged(
        self,
        client: httpx.Client,
        editor_key: str,
        make_publisher: Callable[..., str],
        make_key: Callable[..., str],
    ) -> None:
        csrf = sign_in(client, editor_key)
        for number in range(23):
            assert (
                post_review(
                    client,
                    csrf,
                    action="draft",
                    url=f"https://verifact.example/c/{number}",
                    claim=f"Claim number {number} about turnips",
                ).status_code
                == 303
            )
        make_publisher("other")
        with httpx.Client(base_url=str(client.base_url)) as other:
            other_csrf = sign_in(other, make_key("editor", "other"))
            post_review(other, other_csrf, url="https://other.example/x", claim="Other turnips")
        first = client.get("/app/").text
        claims = re.findall(r"Claim number (\d+) about turnips", first)
        assert claims == [str(n) for n in range(22, 2, -1)]
        assert "Other turnips" not in first
        second = client.get("/app/?page=2").text
        assert re.findall(r"Claim number (\d+) about turnips", second) == ["2", "1", "0"]
        found = client.get("/app/", params={"q": "NUMBER 13 TURNIPS"}).text
        assert re.findall(r"Claim number (\d+) about turnips", found) == ["13"]
        assert "Claim number" not in client.get("/app/", params={"status": "published"}).text


class TestImport:
    def test_the_report_is_the_import_use_cases(self, client: httpx.Client, admin_key: str) -> None:
        from tests.conftest import load_json

        document = load_json("examples/netflix-binge-watch-hoax.fr.jsonld")
        csrf = sign_in(client, admin_key)
        page = client.get("/app/import")
        assert page.status_code == 200
        upload = json.dumps([document, {"@type": "ClaimReview"}]).encode()
        response = client.post(
            "/app/import",
            data={"csrf": csrf},
            files={"file": ("markup.json", upload, "application/json")},
        )
        assert response.status_code == 200
        assert re.search(r'<dd id="created">1</dd>', response.text)
        assert re.search(r'<dd id="rejected">1</dd>', response.text)
        again = client.post(
            "/app/import",
            data={"csrf": csrf},
            files={"file": ("markup.json", upload, "application/json")},
        )
        assert re.search(r'<dd id="unchanged">1</dd>', again.text)
        found = client.get("/v1/lookup", params={"url": document["url"]})
        assert found.status_code == 200

    def test_a_file_that_is_not_json_is_reported(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = client.post(
            "/app/import",
            data={"csrf": csrf},
            files={"file": ("x.json", b"{nope", "application/json")},
        )
        assert response.status_code == 422
        assert "not JSON" in response.text


class TestAdmin:
    def test_editors_do_not_see_the_admin_pages(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        sign_in(client, editor_key)
        assert client.get("/app/admin").status_code == 303

    def test_a_new_key_is_shown_once_works_and_can_be_revoked(
        self, client: httpx.Client, admin_key: str, publisher: str
    ) -> None:
        csrf = sign_in(client, admin_key)
        response = client.post(
            "/app/admin/keys",
            data={"csrf": csrf, "role": "editor", "publisher_id": publisher, "name": "desk"},
        )
        assert response.status_code == 200
        secret = re.search(r'id="new-key" readonly value="(crk_[^"]+)"', response.text)
        assert secret is not None
        key = secret.group(1)
        assert client.get("/v1/api-keys", headers=auth(key)).status_code == 403  # valid, editor
        listing = client.get("/app/admin").text
        assert key not in listing
        key_id = re.search(
            r'action="/app/admin/keys/(key_\w+)/revoke"', listing.split("desk")[0][-2000:] + listing
        )
        assert key_id is not None
        ids = re.findall(r'action="/app/admin/keys/(key_\w+)/revoke"', listing)
        api_keys = client.get("/v1/api-keys", headers=auth(admin_key)).json()["api_keys"]
        desk = next(k["id"] for k in api_keys if k["name"] == "desk")
        assert desk in ids
        assert client.post(f"/app/admin/keys/{desk}/revoke", data={"csrf": csrf}).status_code == 303
        assert client.get("/v1/api-keys", headers=auth(key)).status_code == 401

    def test_create_publisher_through_the_domains_rules(
        self, client: httpx.Client, admin_key: str, publisher: str
    ) -> None:
        csrf = sign_in(client, admin_key)
        created = client.post(
            "/app/admin/publishers",
            data={
                "csrf": csrf,
                "id": "newsdesk",
                "name": "News Desk",
                "sites": "newsdesk.example",
                "languages": "en, fr",
            },
        )
        assert created.status_code == 200
        assert client.get("/v1/publishers/newsdesk").json()["languages"] == ["en", "fr"]
        taken = client.post(
            "/app/admin/publishers",
            data={"csrf": csrf, "id": "thief", "name": "Thief", "sites": "verifact.example"},
        )
        assert taken.status_code == 422
        assert "belongs to" in taken.text
        assert client.get("/v1/publishers/thief").status_code == 404


class TestLanguages:
    def test_accept_language_chooses_french(self, client: httpx.Client, db: Any) -> None:
        page = client.get("/app/sign-in", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
        assert '<html lang="fr">' in page.text
        assert "Clé d’API" in page.text
        assert "Se connecter" in page.text

    def test_the_switch_is_remembered(self, client: httpx.Client, db: Any) -> None:
        page = client.get("/app/sign-in?lang=fr")
        assert "Se connecter" in page.text
        assert "Sign in" not in page.text.replace("sign-in", "")
        assert client.get("/app/sign-in").text.count("Se connecter") >= 2
        english = client.get("/app/sign-in?lang=en", headers={"Accept-Language": "fr"})
        assert '<html lang="en">' in english.text


FRENCH = {"Accept-Language": "fr"}
ENGLISH = {"Accept-Language": "en"}


class TestDomainMessagesInThePagesLanguage:
    """The domain's refusals are shown in the page's language; the API keeps its English."""

    @pytest.mark.parametrize(
        ("headers", "message"),
        [
            (FRENCH, "Cette clé d’éditeur n’écrit que pour « other »."),
            (ENGLISH, "This editor key writes for 'other' only."),
        ],
    )
    def test_a_forbidden_action(
        self,
        client: httpx.Client,
        make_review: Callable[..., dict[str, Any]],
        make_publisher: Callable[..., str],
        make_key: Callable[..., str],
        headers: dict[str, str],
        message: str,
    ) -> None:
        review = make_review()
        make_publisher("other")
        sign_in(client, make_key("editor", "other"))
        page = client.get(f"/app/reviews/{review['id']}", headers=headers)
        assert page.status_code == 403
        assert f'<p class="error" role="alert">{message}</p>' in html.unescape(page.text)

    @pytest.mark.parametrize(
        ("headers", "message"),
        [
            (FRENCH, "elsewhere.example n’est pas un site de « verifact »"),
            (ENGLISH, "elsewhere.example is not a site of 'verifact'"),
        ],
    )
    def test_a_field_error_of_the_domain(
        self, client: httpx.Client, editor_key: str, headers: dict[str, str], message: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = client.post(
            "/app/reviews/new",
            data={
                "csrf": csrf,
                "action": "publish",
                **review_form(url="https://elsewhere.example/c"),
            },
            headers=headers,
        )
        assert response.status_code == 422
        assert errors_in(response.text)["url"] == [message]

    @pytest.mark.parametrize(
        ("headers", "message"),
        [
            (FRENCH, "la vérification {id} vérifie cette affirmation à cette URL"),
            (ENGLISH, "review {id} reviews this claim at this URL"),
        ],
    )
    def test_a_conflict(
        self, client: httpx.Client, editor_key: str, headers: dict[str, str], message: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        first = post_review(client, csrf)
        review_id = first.headers["location"].split("/")[3].split("?")[0]
        again = client.post(
            "/app/reviews/new",
            data={"csrf": csrf, "action": "publish", **review_form()},
            headers=headers,
        )
        assert again.status_code == 422
        assert errors_in(again.text)["url"] == [message.format(id=review_id)]

    @pytest.mark.parametrize(
        ("headers", "message"),
        [
            (FRENCH, "verifact.example appartient à « verifact »"),
            (ENGLISH, "verifact.example belongs to 'verifact'"),
        ],
    )
    def test_a_conflict_on_the_admin_page(
        self,
        client: httpx.Client,
        admin_key: str,
        publisher: str,
        headers: dict[str, str],
        message: str,
    ) -> None:
        csrf = sign_in(client, admin_key)
        taken = client.post(
            "/app/admin/publishers",
            data={"csrf": csrf, "id": "thief", "name": "Thief", "sites": "verifact.example"},
            headers=headers,
        )
        assert taken.status_code == 422
        assert f'<p class="error">{message}</p>' in html.unescape(taken.text)

    @pytest.mark.parametrize(
        ("headers", "expected"),
        [
            (
                FRENCH,
                {
                    "claim": ["Ce champ ne doit pas être vide"],
                    "claim_language": [
                        "doit être un code de langue BCP 47 comme « fr », « pt-BR » ou « zh-Hant »"
                    ],
                    "claim_date": ["est antérieure à 1900"],
                    "rating_best": ["doit être supérieure à la pire note"],
                },
            ),
            (
                ENGLISH,
                {
                    "claim": ["String should have at least 1 character"],
                    "claim_language": [
                        "must be a BCP 47 language tag such as 'fr', 'pt-BR' or 'zh-Hant'"
                    ],
                    "claim_date": ["is before 1900"],
                    "rating_best": ["must be greater than worst"],
                },
            ),
        ],
    )
    def test_the_validators_field_errors(
        self,
        client: httpx.Client,
        editor_key: str,
        headers: dict[str, str],
        expected: dict[str, list[str]],
    ) -> None:
        csrf = sign_in(client, editor_key)
        form = review_form(
            claim="", claim_language="klingon!", claim_date="1850-01-01", rating_best="1",
            rating_worst="5", rating_value="",
        )  # fmt: skip
        response = client.post(
            "/app/reviews/new",
            data={"csrf": csrf, "action": "publish", **form},
            headers=headers,
        )
        assert response.status_code == 422
        assert errors_in(response.text) == expected

    def test_the_api_keeps_its_english_messages(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        response = client.post(
            "/v1/reviews",
            json=review_body(url="https://elsewhere.example/c"),
            headers={**auth(editor_key), **FRENCH},
        )
        assert response.status_code == 403
        problem = response.json()
        assert problem["detail"] == "url: elsewhere.example is not a site of 'verifact'."
        assert problem["errors"] == [
            {"field": "url", "message": "elsewhere.example is not a site of 'verifact'"}
        ]

    # Every field that takes a URL refuses what normalize_url refuses (app.rules.fields); the
    # reason is the field's own message, not InvalidURL's (tests/web/test_i18n.py has those).
    BAD_URLS: ClassVar[dict[str, str]] = {
        "appearances": "https://example.org/post\nftp://example.org/file",
        "url": "https://localhost/checks/moon",
    }

    @pytest.mark.parametrize(
        ("headers", "message"),
        [
            (FRENCH, "doit être une URL absolue en http:// ou https://"),
            (ENGLISH, "must be an absolute http:// or https:// URL"),
        ],
    )
    def test_a_url_that_is_not_a_web_address_at_its_field(
        self, client: httpx.Client, editor_key: str, headers: dict[str, str], message: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = client.post(
            "/app/reviews/new",
            data={"csrf": csrf, "action": "publish", **review_form(**self.BAD_URLS)},
            headers=headers,
        )
        assert response.status_code == 422
        errors = errors_in(response.text)
        assert errors["appearances"] == [message]
        assert errors["url"] == [message]

    def test_the_api_keeps_its_english_message_for_a_url(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        body = review_body(url=self.BAD_URLS["url"])
        body["claim"]["appearances"] = [
            {"url": url} for url in self.BAD_URLS["appearances"].splitlines()
        ]
        response = client.post("/v1/reviews", json=body, headers={**auth(editor_key), **FRENCH})
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "field": "claim.appearances.1.url",
                "message": "must be an absolute http:// or https:// URL",
            },
            {"field": "url", "message": "must be an absolute http:// or https:// URL"},
        ]


# A claim over the 75 characters Google recommends (app.claimreview.validate).
LONG_CLAIM = "The moon is made of a very old, very smelly and very expensive cheese from Mars"
TOO_LONG = {
    "fr": f"claimReviewed compte {len(LONG_CLAIM)} caractères ; Google recommande une "
    "affirmation courte (75 au plus)",
    "en": f"claimReviewed is {len(LONG_CLAIM)} characters long; Google recommends a short "
    "claim (at most 75)",
}
# A record without its claim and verdict, and one dated in the future (the domain's rule).
REJECTED_RECORDS = [
    {"@type": "ClaimReview", "url": "https://verifact.example/checks/empty"},
    {
        "@type": "ClaimReview",
        "url": "https://verifact.example/checks/future",
        "claimReviewed": "The moon is made of cheese",
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "datePublished": "2999-01-01",
    },
]
REASONS = {
    "fr": [
        "claimReviewed manque ou est vide ; reviewRating manque (le verdict, avec son "
        "alternateName en toutes lettres)",
        "date_published : est dans le futur",
    ],
    "en": [
        "claimReviewed is missing or empty; reviewRating is missing (the verdict, with its "
        "alternateName in words)",
        "date_published: is in the future",
    ],
}
LANGUAGES = [pytest.param(FRENCH, "fr", id="fr"), pytest.param(ENGLISH, "en", id="en")]


class TestSchemaOrgMessagesInThePagesLanguage:
    """Google's rules (the preview's findings) and the import's reasons to reject come from the
    catalogues as the domain's messages do; the API keeps its English."""

    @pytest.mark.parametrize(("headers", "language"), LANGUAGES)
    def test_a_google_rule_warning_at_its_field_of_the_review_form(
        self, client: httpx.Client, editor_key: str, headers: dict[str, str], language: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        saved = post_review(client, csrf, action="draft", claim=LONG_CLAIM)
        assert saved.status_code == 303
        page = client.get(saved.headers["location"].split("?")[0], headers=headers)
        assert page.status_code == 200
        assert TOO_LONG[language] in warnings_in(page.text)["claim"]

    @pytest.mark.parametrize(("headers", "language"), LANGUAGES)
    def test_the_live_previews_warnings(
        self, client: httpx.Client, editor_key: str, headers: dict[str, str], language: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = client.post(
            "/app/preview",
            data={"csrf": csrf, **review_form(claim="The moon is made of cheese: false")},
            headers=headers,
        )
        assert response.status_code == 200
        verdict = {
            "fr": "claimReviewed semble contenir le verdict (« false ») : donnez l’affirmation "
            "seule, le verdict va dans reviewRating.alternateName",
            "en": "claimReviewed seems to contain the verdict ('false'): give the claim alone, "
            "the verdict goes in reviewRating.alternateName",
        }[language]
        assert f'<p class="warning">{verdict}</p>' in html.unescape(response.text)
        assert reviews_of(client, editor_key) == []

    @pytest.mark.parametrize(("headers", "language"), LANGUAGES)
    def test_the_reasons_of_the_import_report(
        self, client: httpx.Client, editor_key: str, headers: dict[str, str], language: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = client.post(
            "/app/import",
            data={"csrf": csrf},
            files={"file": ("markup.json", json.dumps(REJECTED_RECORDS), "application/json")},
            headers=headers,
        )
        assert response.status_code == 200
        assert rejections_in(response.text) == [
            ("0", "https://verifact.example/checks/empty", REASONS[language][0]),
            ("1", "https://verifact.example/checks/future", REASONS[language][1]),
        ]

    def test_the_api_keeps_its_english_findings_and_reasons(
        self, client: httpx.Client, editor_key: str
    ) -> None:
        markup = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "claimReviewed": LONG_CLAIM,
            "url": "https://verifact.example/checks/moon",
            "reviewRating": {"@type": "Rating", "alternateName": "False", "worstRating": 0},
        }
        report = client.post("/v1/validate", json=markup, headers=FRENCH).json()
        assert {"path": "claimReviewed", "message": TOO_LONG["en"]} in report["warnings"]
        assert {
            "path": "reviewRating.worstRating",
            "message": "worstRating (0) must be at least 1",
        } in report["errors"]
        imported = client.post(
            "/v1/import", json=REJECTED_RECORDS, headers={**auth(editor_key), **FRENCH}
        )
        assert imported.status_code == 200
        assert [r["reason"] for r in imported.json()["rejected"]] == REASONS["en"]


class TestPydanticMessagesInThePagesLanguage:
    """Pydantic's own refusals that the forms can meet come from the catalogues too, each named
    by its field's label on the admin page."""

    @pytest.mark.parametrize(
        ("headers", "message"),
        [
            (FRENCH, "Au plus 1000000000000"),
            (ENGLISH, "Input should be less than or equal to 1000000000000"),
        ],
    )
    def test_a_bound_of_the_rating(
        self, client: httpx.Client, editor_key: str, headers: dict[str, str], message: str
    ) -> None:
        csrf = sign_in(client, editor_key)
        response = client.post(
            "/app/reviews/new",
            data={"csrf": csrf, "action": "publish", **review_form(rating_best="1e13")},
            headers=headers,
        )
        assert response.status_code == 422
        assert errors_in(response.text)["rating_best"] == [message]

    @pytest.mark.parametrize(
        ("headers", "messages", "role"),
        [
            (
                FRENCH,
                [
                    "Identifiant : Ne respecte pas le format attendu "
                    "(motif ^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$)",
                    "Sites : Au plus 50 éléments, et non 51",
                ],
                "Administrateur",
            ),
            (
                ENGLISH,
                [
                    "Identifier: String should match pattern '^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$'",
                    "Sites: List should have at most 50 items after validation, not 51",
                ],
                "Administrator",
            ),
        ],
    )
    def test_the_admin_forms_fields_by_their_labels(
        self,
        client: httpx.Client,
        admin_key: str,
        headers: dict[str, str],
        messages: list[str],
        role: str,
    ) -> None:
        csrf = sign_in(client, admin_key)
        sites = ", ".join(f"s{n}.example" for n in range(51))
        refused = client.post(
            "/app/admin/publishers",
            data={"csrf": csrf, "id": "Bad Id", "name": "Bad", "sites": sites},
            headers=headers,
        )
        assert refused.status_code == 422
        shown = re.findall(r'<p class="error">([^<]*)</p>', refused.text)
        assert [html.unescape(m) for m in shown] == messages
        assert f"<td>{role}</td>" in refused.text
