"""Every audit action the code writes has words for people (core.audit_labels), found by
reading the source: each `action=` given to audit_event/build_audit_event, followed through
conditional expressions, f-strings, constants, local variables and the parameters of helper
functions (to what their callers pass), so a new action with no label fails here."""

import ast
import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from openpo.core.audit_labels import ACTION_LABELS, action_label, actor_name
from openpo.core.models import AuditEvent

SOURCE = Path(__file__).resolve().parents[2] / "src" / "openpo"
WRITERS = {"audit_event", "build_audit_event"}


class Unresolved(Exception):
    pass


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


class Module:
    def __init__(self, path: Path):
        self.path = path
        self.tree = ast.parse(path.read_text(), filename=str(path))
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(SOURCE)}:{node.lineno}"

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def values(self, expr: ast.expr, depth: int = 0) -> set[str]:
        """Every string `expr` can be, or Unresolved."""
        if depth > 8:
            raise Unresolved(self.where(expr))
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.values(expr.body, depth + 1) | self.values(expr.orelse, depth + 1)
        if isinstance(expr, ast.JoinedStr):
            parts = [
                self.values(part.value if isinstance(part, ast.FormattedValue) else part, depth + 1)
                for part in expr.values
            ]
            return {"".join(combination) for combination in itertools.product(*parts)}
        if isinstance(expr, ast.Name):
            return self._name_values(expr, depth)
        raise Unresolved(self.where(expr))

    def _name_values(self, name: ast.Name, depth: int) -> set[str]:
        function = self.function_of(name)
        scope = function if function is not None else self.tree
        assigned = [
            node.value
            for node in ast.walk(scope)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name.id for t in node.targets)
        ]
        if assigned:
            return set().union(*(self.values(value, depth + 1) for value in assigned))
        if function is not None:
            params = [a.arg for a in function.args.posonlyargs + function.args.args]
            keyword_only = [a.arg for a in function.args.kwonlyargs]
            if name.id in params or name.id in keyword_only:
                return self._passed_to(function, name.id, params, depth)
        if function is not None:  # a module constant used inside a function
            return self._name_values(ast.Name(id=name.id, lineno=name.lineno), depth + 1)
        raise Unresolved(self.where(name))

    def _passed_to(
        self, function: ast.FunctionDef, param: str, params: list[str], depth: int
    ) -> set[str]:
        """What the module's calls of `function` pass as `param`."""
        found: set[str] = set()
        calls = [
            node
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call) and _called_name(node) == function.name
        ]
        for call in calls:
            given = [k.value for k in call.keywords if k.arg == param]
            if not given and param in params and params.index(param) < len(call.args):
                given = [call.args[params.index(param)]]
            if not given:
                raise Unresolved(f"{self.where(call)} (no {param} given to {function.name})")
            found |= self.values(given[0], depth + 1)
        if not found:
            raise Unresolved(f"{function.name} is never called with {param}")
        return found


def written_actions() -> tuple[dict[str, str], list[str]]:
    """action → where it is written, and the writes this test cannot follow."""
    actions: dict[str, str] = {}
    unresolved: list[str] = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = Module(path)
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Call) and _called_name(node) in WRITERS):
                continue
            given = [k.value for k in node.keywords if k.arg == "action"]
            if not given:
                continue  # audit_event(**kwargs) forwarding to build_audit_event
            try:
                for action in module.values(given[0]):
                    actions.setdefault(action, module.where(node))
            except Unresolved as error:
                unresolved.append(str(error))
    return actions, unresolved


def test_the_source_walk_finds_the_actions_it_should():
    actions, _ = written_actions()
    # A literal, a conditional, a constant, a helper's parameter, an f-string over callers.
    for action in (
        "payment.claimed",
        "variant.deactivated",
        "payment.gateway_refused",
        "shop.bank_account_deactivated",
        "order.expired",
        "campaign.start_production",
    ):
        assert action in actions


def test_every_action_written_has_a_label():
    actions, unresolved = written_actions()
    assert not unresolved, f"cannot tell which action these write: {unresolved}"
    missing = {action: where for action, where in actions.items() if action not in ACTION_LABELS}
    assert not missing, f"give these actions a label in core/audit_labels.py: {missing}"


def test_every_label_belongs_to_an_action_still_written():
    actions, _ = written_actions()
    assert sorted(set(ACTION_LABELS) - set(actions)) == []


def test_labels_are_translated_to_indonesian():
    with translation.override("en"):
        english = {action: str(label) for action, label in ACTION_LABELS.items()}
    with translation.override("id"):
        assert action_label("payment.claimed") == "Pembayaran dilaporkan, menunggu dicek penjual"
        untranslated = [a for a, label in ACTION_LABELS.items() if str(label) == english[a]]
    assert untranslated == []


def test_an_unknown_action_shows_words_not_its_code():
    with translation.override("en"):
        assert action_label("order.renamed_long_ago") == "Change recorded"


@pytest.mark.parametrize(
    ("actor_label", "shown"), [("buyer", "Buyer"), ("system", "Automatic"), ("x.y", "")]
)
def test_who_acted_is_said_in_words(actor_label, shown):
    with translation.override("en"):
        assert actor_name(AuditEvent(actor_label=actor_label)) == shown


def test_the_admin_lists_events_in_words_beside_their_codes(admin_client, shop):
    AuditEvent.objects.create(
        shop=shop,
        action="payment.claimed",
        actor_label="buyer",
        subject_type="orders.order",
        subject_id="1",
        created_at=timezone.now(),
    )
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"

    html = admin_client.get("/admin/core/auditevent/").content.decode()

    assert "Pembayaran dilaporkan, menunggu dicek penjual" in html
    assert "payment.claimed" in html  # staff can still filter and search by the code
    assert "Apa yang terjadi" in html and shop.name in html
