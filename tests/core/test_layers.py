"""Arrows point down (DESIGN.md, "Rules that keep it simple"), checked by reading the source.

Every module of `src/openpo` is parsed with `ast` and every import counted, those inside
functions too (a lazy import is still a dependency, only a later one):

- no domain app imports an audience app (dashboard, storefront, api), `ops` or the site's own
  entry modules (the URL map, the error pages, WSGI, the CLI);
- HTTP lives in the audience apps: no domain app but `core` (whose middleware and view
  decorators the audience apps use) has a `urls`, `views` or `webhooks` module or imports
  `django.http` or `django.views`;
- no import cycle runs between the modules of two domain apps. Two apps may still use each
  other, module by module in one direction: orders and payments do by design (README,
  "Layout"), and `ONLY_THROUGH` names what payments may take from orders.

A domain app is every app package (a directory with `apps.py`) that is not an audience app or
`ops`, so a new one is checked from its first commit.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "openpo"
AUDIENCE = {"dashboard", "storefront", "api"}
TOP = {"ops"}
ENTRY = {"urls", "error_pages", "wsgi", "cli", "__main__"}
DOMAIN = {p.parent.name for p in SOURCE.glob("*/apps.py")} - AUDIENCE - TOP
# (importing app, imported app) -> the only modules of the second the first may import.
# payments records money against orders' rows and never calls orders' services, which call
# payments (placing an order asks for its first payment in the order's own transaction).
ONLY_THROUGH = {("payments", "orders"): {"openpo.orders.models"}}
HTTP_MODULES = {"urls", "views", "webhooks"}
HTTP_IMPORTS = ("django.http", "django.views")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. openpo.orders.services.changing
    target: str  # what it names, e.g. openpo.payments.services.recording.settle_order
    line: int

    def __str__(self) -> str:
        return f"{self.module} imports {self.target} (line {self.line})"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in SOURCE.rglob("*.py")}


def read_imports(module: str, source: str, *, is_package: bool = False) -> list[Import]:
    """Every import in `source`, at any depth; `from x import y` names x.y (y may be a module)."""
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found += [Import(module, f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def _all_imports() -> list[Import]:
    found = []
    for module, path in MODULES.items():
        is_package = path.name == "__init__.py"
        found += read_imports(module, path.read_text(), is_package=is_package)
    return [i for i in found if i.target.startswith("openpo.")]


def _app(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if parts[0] == "openpo" and len(parts) > 1 else ""


def _modules_run(target: str) -> list[str]:
    """The modules importing `target` runs: the module it names and each package above it."""
    parts = target.split(".")
    return [
        name for name in (".".join(parts[:n]) for n in range(2, len(parts) + 1)) if name in MODULES
    ]


def _cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_it_reads_imports_inside_functions_and_relative_ones():
    source = (
        "import os\n"
        "from . import sibling\n"
        "def tick():\n"
        "    from openpo.ops.scheduler import run_tick\n"
    )
    targets = [i.target for i in read_imports("openpo.messaging.tasks", source)]
    assert targets == ["os", "openpo.messaging.sibling", "openpo.ops.scheduler.run_tick"]
    assert {"openpo.orders.models", "openpo.payments.services.recording"} <= set(MODULES)


def test_no_domain_app_imports_an_audience_app_or_ops():
    assert {"core", "catalog", "orders", "payments", "messaging", "fulfillment"} <= DOMAIN
    upward = [
        str(i)
        for i in _all_imports()
        if _app(i.module) in DOMAIN and _app(i.target) in AUDIENCE | TOP | ENTRY
    ]
    assert not upward, "a domain app imports an upper layer:\n" + "\n".join(upward)


def test_http_lives_in_the_audience_apps():
    problems = []
    for module, path in MODULES.items():
        if _app(module) not in DOMAIN - {"core"}:
            continue
        if module.rpartition(".")[2] in HTTP_MODULES:
            problems.append(f"{module} is an HTTP module ({path.name})")
        for i in read_imports(module, path.read_text()):
            if i.target.startswith(HTTP_IMPORTS):
                problems.append(str(i))
    assert not problems, "HTTP in a domain app:\n" + "\n".join(problems)


def test_no_import_cycle_runs_between_two_domain_apps():
    edges: dict[str, set[str]] = {}
    crossing: dict[tuple[str, str], Import] = {}
    for i in _all_imports():
        if _app(i.module) not in DOMAIN:
            continue
        for target in _modules_run(i.target):
            if _app(target) in DOMAIN and target != i.module:
                edges.setdefault(i.module, set()).add(target)
                if _app(target) != _app(i.module):
                    crossing.setdefault((i.module, target), i)
    problems = []
    for component in _cycles(edges):
        if len({_app(m) for m in component}) > 1:
            steps = sorted(
                str(i) for (a, b), i in crossing.items() if a in component and b in component
            )
            problems.append("a cycle through " + ", ".join(sorted(component)) + ":\n  ")
            problems[-1] += "\n  ".join(steps)
    assert not problems, "\n".join(problems)


def test_payments_takes_only_orders_rows():
    problems = [
        str(i)
        for i in _all_imports()
        for (importer, imported), allowed in ONLY_THROUGH.items()
        if _app(i.module) == importer
        and _app(i.target) == imported
        and (_modules_run(i.target) or [i.target])[-1] not in allowed
    ]
    assert not problems, "an import outside ONLY_THROUGH:\n" + "\n".join(problems)
