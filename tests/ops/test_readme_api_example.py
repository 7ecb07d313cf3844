"""The README's seller API example works as written against `make run`'s demo.

The shell block after the `api-example` marker is read line by line: the token line runs the
same `create_token` command, each `curl` is parsed with shlex (method, headers, body, URL) and
sent to the site with the same headers and body. Every answer must be a 2xx with JSON, and
the PO the example creates must then be published with its two variants.
"""

import io
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction

from openpo.catalog.models import Campaign

README = Path(__file__).resolve().parents[2] / "README.md"


def example_commands() -> list[str]:
    text = README.read_text()
    start = text.index("<!-- api-example")
    opening = text.index("```sh", start) + len("```sh")
    block = text[opening : text.index("```", opening)]
    # Commands are separated by blank lines; a command's lines are joined as the shell would
    # (a backslash-newline vanishes, a newline inside quotes stays in the quoted text).
    return [c.replace("\\\n", " ").strip() for c in block.split("\n\n") if c.strip()]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def run_token_line(line: str) -> str:
    command = re.fullmatch(r"TOKEN=\$\((.+) \| tail -n 1\)", line).group(1)
    program, name, *args = shlex.split(command)
    assert program.endswith("openpo") and name == "create_token"
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def run_curl(client, line: str, token: str):
    words = shlex.split(line.replace("$TOKEN", token))
    assert words[0] == "curl"
    method, headers, body, url = "GET", {}, None, None
    words = iter(words[1:])
    for word in words:
        if word == "-s":
            continue
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(": ")
            headers[name] = value
        elif word == "-d":
            body = next(words)
            method = "POST" if method == "GET" else method
        else:
            url = word
    parts = urlsplit(url)
    assert parts.netloc == "127.0.0.1:8000", "the example talks to `make run`'s address"
    content_type = headers.pop("Content-Type", "")
    return client.generic(
        method,
        parts.path + (f"?{parts.query}" if parts.query else ""),
        body.encode() if body else b"",
        content_type=content_type,
        headers=headers,
    )


@pytest.mark.django_db
def test_the_readme_example_runs_against_the_demo(client, demo):
    commands = example_commands()
    assert commands[0].startswith("TOKEN=")
    token = run_token_line(commands[0])
    answers = []
    for line in commands[1:]:
        response = run_curl(client, line, token)
        assert 200 <= response.status_code < 300, (line, response.content)
        answers.append(response.json())
    assert len(answers) == 4
    created = Campaign.objects.get(shop__slug="demo", slug="tumbler")
    assert created.status == Campaign.Status.SCHEDULED
    assert created.variants.count() == 2
    assert answers[2] == {"items": [], "next_cursor": None}
    assert answers[3]["items"], "the demo's open PO has paid orders to list"
    assert {o["payment_status"] for o in answers[3]["items"]} == {"paid"}
