"""The smoke test of deploy/check.sh: what a buyer and an operator notice, through nginx over
HTTPS, against the recipe brought up on this machine. Standard library only. Prints one line
per step (OK or FAIL) and exits 1 at the first failure.

Clients connect from several loopback addresses (127.0.0.2, .5, .6, .7), as different buyers
would, so the rate limit's view of the client address can be checked.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import http.client
import json
import re
import socket
import ssl
import sys
import time
import urllib.parse
import uuid
import warnings
from html.parser import HTMLParser
from pathlib import Path

OPTIONS: argparse.Namespace


class Failed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


class Response:
    def __init__(self, raw: http.client.HTTPResponse) -> None:
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(
    method: str,
    path: str,
    *,
    client: str = "127.0.0.2",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    https: bool = True,
    host: str | None = None,
) -> Response:
    """One request to nginx from `client`, with SNI and the Host header of our domain."""
    port = OPTIONS.https_port if https else OPTIONS.http_port
    name = host or OPTIONS.domain
    sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(client, 0))
    if https:
        context = ssl.create_default_context(cafile=OPTIONS.ca)
        sock = context.wrap_socket(sock, server_hostname=name)
    connection = http.client.HTTPConnection(name, port, timeout=30)
    connection.sock = sock
    all_headers = {"Host": f"{name}:{port}", **(headers or {})}
    connection.request(method, path, body=body, headers=all_headers)
    return Response(connection.getresponse())


class Forms(HTMLParser):
    """The page's forms (action, inputs, selects with their options), links, images, styles."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self.stylesheets: list[str] = []
        self.images: list[str] = []
        self.og_image = ""
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "selects": {}})
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.images.append(a["src"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a["href"])
        elif tag == "meta" and a.get("property") == "og:image":
            self.og_image = a.get("content", "")
        elif self.forms and tag in {"input", "textarea"} and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a
        elif self.forms and tag == "select":
            self._select = a.get("name")
            self.forms[-1]["selects"][self._select] = []
        elif self.forms and tag == "option" and self._select:
            self.forms[-1]["selects"][self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def parse(page: Response) -> Forms:
    forms = Forms()
    forms.feed(page.text)
    return forms


def served_by_app(path: str) -> bool:
    """Whether gunicorn's access log (the serve log) names this path."""
    time.sleep(0.3)
    return f" {path} HTTP" in Path(OPTIONS.serve_log).read_text(errors="replace")


STATE: dict = {}


def step_redirect() -> str:
    answer = request("GET", "/demo/?x=1", https=False)
    check(answer.status == 301, f"http:// answered {answer.status}, not 301")
    location = answer.headers["Location"]
    check(location == f"https://{OPTIONS.domain}/demo/?x=1", f"redirects to {location}")
    return location


def step_acme() -> str:
    token = uuid.uuid4().hex
    challenge = Path(OPTIONS.acme_dir) / ".well-known" / "acme-challenge" / token
    challenge.write_text(token)
    challenge.chmod(0o644)
    answer = request("GET", f"/.well-known/acme-challenge/{token}", https=False)
    check(answer.status == 200 and answer.text == token, f"answered {answer.status}")
    return "certbot --webroot renewals can pass"


def step_unknown_host() -> str:
    try:
        answer = request("GET", "/", https=False, host="other.example")
    except (http.client.RemoteDisconnected, ConnectionResetError):
        pass
    else:
        raise Failed(f"an unknown Host got {answer.status}")
    try:
        request("GET", "/", host="other.example")
    except ssl.SSLError:
        return "no answer (444), TLS handshake refused"
    raise Failed("TLS for an unknown name was accepted")


def step_tls() -> str:
    sock = socket.create_connection(("127.0.0.1", OPTIONS.https_port), timeout=10)
    context = ssl.create_default_context(cafile=OPTIONS.ca)
    with context.wrap_socket(sock, server_hostname=OPTIONS.domain) as tls:
        version = tls.version()
    check(version in {"TLSv1.2", "TLSv1.3"}, f"TLS version {version}")
    warnings.simplefilter("ignore", DeprecationWarning)  # asking for TLS 1.0 on purpose
    for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(OPTIONS.ca)
        context.minimum_version = context.maximum_version = old
        try:
            with context.wrap_socket(
                socket.create_connection(("127.0.0.1", OPTIONS.https_port), timeout=10),
                server_hostname=OPTIONS.domain,
            ):
                raise Failed(f"{old.name} accepted")
        except ssl.SSLError:
            pass
    return f"{version}; certificate verified; TLS 1.0/1.1 refused"


def step_open_po() -> str:
    shop = request("GET", "/demo/")
    check(shop.status == 200, f"/demo/ answered {shop.status}")
    slugs = []
    for link in parse(shop).links:
        match = re.fullmatch(r"/demo/([\w-]+)/", link)
        if match and match.group(1) not in slugs:
            slugs.append(match.group(1))
    for slug in slugs:
        answer = request("GET", f"/api/v1/public/demo/{slug}")
        if answer.status != 200:
            continue
        po = json.loads(answer.body)
        available = [v for v in po["variants"] if (v["available"] or 0) > 0]
        if po["status"] == "open" and available:
            STATE.update(slug=slug, po=po, variant=available[0])
            return f"{po['title']} ({slug}), {len(available)} variants on sale"
    raise Failed(f"no open PO with stock among {slugs}")


def step_po_page() -> str:
    slug, product = STATE["slug"], STATE["variant"]["product"]
    page = request("GET", f"/demo/{slug}/")
    check(page.status == 200, f"the PO page answered {page.status}")
    check(product in page.text, f"the product {product!r} is not on the page")
    check("max-age=" in page.headers.get("Strict-Transport-Security", ""), "no HSTS header")
    cookies = page.headers.get_all("Set-Cookie") or []
    secure = any("csrftoken" in c and "Secure" in c for c in cookies)
    check(secure, f"no Secure csrftoken: {cookies}")
    forms = parse(page)
    base = f"https://{OPTIONS.domain}:{OPTIONS.https_port}/media/photos/"
    check(forms.og_image.startswith(base), f"og:image is {forms.og_image!r}, not under {base}")
    check(served_by_app(f"/demo/{slug}/"), "the PO page is not in gunicorn's access log")
    STATE["page"] = page
    return f"200, {product!r}, HSTS, Secure cookie, og:image https://{OPTIONS.domain}:PORT"


def step_static() -> str:
    forms = parse(STATE["page"])
    css = next(s for s in forms.stylesheets if s.startswith("/static/"))
    check(re.search(r"\.[0-9a-f]{12}\.css$", css) is not None, f"not a hashed name: {css}")
    answer = request("GET", css, headers={"Accept-Encoding": "gzip"})
    check(answer.status == 200, f"{css} answered {answer.status}")
    check(answer.headers.get("Content-Encoding") == "gzip", "not the precompressed .gz")
    check("immutable" in answer.headers.get("Cache-Control", ""), "not cached as immutable")
    check(not served_by_app(css), f"{css} went through gunicorn")
    return f"{css} by nginx (gzip, immutable)"


def step_media() -> str:
    forms = parse(STATE["page"])
    photo = urllib.parse.urlsplit(forms.og_image).path
    answer = request("GET", photo)
    check(answer.status == 200, f"{photo} answered {answer.status}")
    check(answer.body[:3] == b"\xff\xd8\xff", "not a JPEG")
    check(answer.headers.get("X-Content-Type-Options") == "nosniff", "no nosniff")
    check(not served_by_app(photo), f"{photo} went through gunicorn")
    return f"{photo} by nginx ({len(answer.body)} bytes)"


def step_private() -> str:
    data = Path(OPTIONS.data_dir)
    proof = next(p for p in (data / "private").rglob("*") if p.is_file())
    relative = proof.relative_to(data / "private").as_posix()
    content = proof.read_bytes()
    tried = [
        f"/media/{relative}",
        f"/private/{relative}",
        f"/media/../private/{relative}",
        f"/media/photos/../../private/{relative}",
        f"/media/photos/%2e%2e/%2e%2e/private/{relative}",
        f"/static/../private/{relative}",
    ]
    testimonials = [p for p in (data / "media" / "testimonials").rglob("*") if p.is_file()]
    if testimonials:
        tried.append("/media/" + testimonials[0].relative_to(data / "media").as_posix())
    for path in tried:
        answer = request("GET", path)
        check(answer.status in {400, 404}, f"{path} answered {answer.status}")
        check(content not in answer.body, f"{path} gave the proof's bytes")
    check(proof.stat().st_mode & 0o077 == 0, f"{proof} is readable by others")
    return f"{len(tried)} paths to a proof or a testimonial photo: 404/400"


def step_form_order() -> str:
    slug = STATE["slug"]
    page = request("GET", f"/demo/{slug}/")
    form = next(f for f in parse(page).forms if f["action"].endswith("/order/"))
    cookie = next(
        c.split(";")[0] for c in page.headers.get_all("Set-Cookie") if c.startswith("csrftoken=")
    )
    inputs = form["fields"].items()
    fields = {n: a.get("value", "") for n, a in inputs if a.get("type") != "checkbox"}
    quantity = next(
        n for n, a in form["fields"].items() if n.startswith("qty_") and "disabled" not in a
    )
    buyer = f"pembeli-{uuid.uuid4().hex[:8]}@{OPTIONS.domain}"
    fields.update(
        {
            quantity: "1",
            "name": "Sari Cek Deploy",
            "phone": "081234567890",
            "email": buyer,
            "province": next(v for v in form["selects"]["province"] if v),
            "city": "Bandung",
            "address": "Jl. Cek Deploy No. 1, RT 01/RW 02, Coblong",
            "postal_code": "40132",
            "terms": "on",
        }
    )
    origin = f"https://{OPTIONS.domain}:{OPTIONS.https_port}"
    started = time.monotonic()
    answer = request(
        "POST",
        form["action"],
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Origin": origin,
            "Referer": f"{origin}/demo/{slug}/",
        },
        body=urllib.parse.urlencode(fields).encode(),
    )
    check(answer.status == 302, f"the order form answered {answer.status}: {answer.text[:300]}")
    location = answer.headers["Location"]
    check(location.startswith("/o/"), f"redirected to {location}")
    order = request("GET", location)
    check(order.status == 200 and "Sari Cek Deploy" in order.text, f"order page {order.status}")
    STATE.update(buyer=buyer, order_path=location, ordered_at=started)
    return f"302 -> {location[:12]}…, order page 200 (CSRF over HTTPS with Origin)"


def step_email() -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for path in sorted(Path(OPTIONS.mail_dir).glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if STATE["buyer"] in str(message["To"]):
                body = message.get_body(("plain",)).get_content()
                link = f"https://{OPTIONS.domain}:{OPTIONS.https_port}{STATE['order_path']}"
                check(link in body, f"the email has no link {link}")
                waited = time.monotonic() - STATE["ordered_at"]
                return f"{message['Subject']!r} after {waited:.1f} s, link to the order page"
        time.sleep(0.5)
    raise Failed("no email to the buyer within 60 s (see worker.log)")


def order_body(sku: str) -> bytes:
    return json.dumps(
        {
            "name": "Budi Cek",
            "phone": "081298765432",
            "email": f"budi-{uuid.uuid4().hex[:6]}@{OPTIONS.domain}",
            "address": "Jl. Cek No. 2, RT 03/RW 04",
            "city": "Bandung",
            "province": STATE.get("province", "Jawa Barat"),
            "postal_code": "40132",
            "items": [{"sku": sku, "quantity": 1}],
        }
    ).encode()


def api_order(client: str, sku: str, extra: dict[str, str] | None = None) -> Response:
    return request(
        "POST",
        f"/api/v1/public/demo/{STATE['slug']}/orders",
        client=client,
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
            **(extra or {}),
        },
        body=order_body(sku),
    )


def step_api_order() -> str:
    answer = api_order("127.0.0.6", STATE["variant"]["sku"])
    check(answer.status == 201, f"answered {answer.status}: {answer.text[:300]}")
    url = json.loads(answer.body)["order_url"]
    prefix = f"https://{OPTIONS.domain}:{OPTIONS.https_port}/o/"
    check(url.startswith(prefix), f"order_url {url} (Host or X-Forwarded-Proto lost)")
    return "201, order_url https://… (Host and X-Forwarded-Proto reach the app)"


def step_rate_limit() -> str:
    # OPENPO_RATE_LIMIT_ORDERS is 20/60 by default: a sliding window, so the first refusal
    # comes at the 21st request or a little later.
    statuses = []
    while len(statuses) < 40 and 429 not in statuses:
        statuses.append(api_order("127.0.0.5", "NO-SUCH-SKU").status)
    served = statuses.index(429) if 429 in statuses else None
    check(served is not None, f"127.0.0.5 never limited: {statuses}")
    check(set(statuses[:served]) == {422}, f"answers before the limit: {statuses}")
    check(served >= 20, f"limited after {served} requests (the proxy's address counted?)")
    forged = api_order("127.0.0.5", "NO-SUCH-SKU", {"X-Forwarded-For": "203.0.113.7"})
    check(forged.status == 429, f"a forged X-Forwarded-For escaped the limit ({forged.status})")
    other = api_order("127.0.0.7", "NO-SUCH-SKU")
    check(other.status == 422, f"another client answered {other.status}")
    return f"127.0.0.5: {served} served, then 429 (forged XFF too); 127.0.0.7 still served"


def step_body_limit() -> str:
    sock = socket.create_connection(("127.0.0.1", OPTIONS.https_port), timeout=30)
    context = ssl.create_default_context(cafile=OPTIONS.ca)
    connection = http.client.HTTPConnection(OPTIONS.domain, OPTIONS.https_port, timeout=30)
    connection.sock = context.wrap_socket(sock, server_hostname=OPTIONS.domain)
    connection.putrequest("POST", f"/api/v1/public/demo/{STATE['slug']}/orders", skip_host=True)
    connection.putheader("Host", f"{OPTIONS.domain}:{OPTIONS.https_port}")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(10 * 1024 * 1024 + 1))
    connection.endheaders()
    status = connection.getresponse().status
    check(status == 413, f"a 10 MiB + 1 byte body answered {status}")
    return "10 MiB + 1 byte: 413 before the body is read"


def step_health() -> str:
    answer = request("GET", "/health/")
    check(answer.status == 200 and json.loads(answer.body)["status"] == "ok", f"{answer.status}")
    healthz = request("GET", "/healthz")
    if healthz.status == 404:
        return "/health/ 200 ok (/healthz: not in this version)"
    check(healthz.status == 200, f"/healthz answered {healthz.status}: {healthz.text[:300]}")
    return "/health/ 200, /healthz 200"


STEPS = [
    ("HTTP redirects to HTTPS", step_redirect),
    ("ACME challenge served over HTTP", step_acme),
    ("unknown host names get nothing", step_unknown_host),
    ("TLS", step_tls),
    ("an open PO (shop page, public API)", step_open_po),
    ("PO page through nginx", step_po_page),
    ("static file served by nginx", step_static),
    ("public media (product photo) served by nginx", step_media),
    ("payment proofs are not served", step_private),
    ("order through the storefront form", step_form_order),
    ("worker emails the order to the buyer (SMTP)", step_email),
    ("order through the public API", step_api_order),
    ("rate limit counts the client's address", step_rate_limit),
    ("request body limit", step_body_limit),
    ("health", step_health),
]


def main() -> int:
    global OPTIONS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("domain", "ca", "serve-log", "data-dir", "mail-dir", "acme-dir"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--https-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    OPTIONS = parser.parse_args()
    for title, step in STEPS:
        started = time.monotonic()
        try:
            detail = step()
        except (Failed, OSError, StopIteration, KeyError, ValueError) as error:
            print(f"FAIL  {title:<62}\n      {type(error).__name__}: {error}", flush=True)
            return 1
        seconds = time.monotonic() - started
        print(f"OK    {title:<62} {seconds:6.1f} s  ({detail})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
