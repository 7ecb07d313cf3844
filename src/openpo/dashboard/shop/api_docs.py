"""The API's documentation inside the dashboard, drawn from the OpenAPI document itself (so it
never drifts from what the API does): every operation with its parameters, body fields and
answers, grouped as the API groups them, and a curl line with this shop's own addresses.
Plain HTML, no script: the page reads on a phone and passes the dashboard's CSP."""

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from openpo.api.urls import api
from openpo.dashboard.access import shop_member_required

METHOD_ORDER = ["get", "post", "patch", "put", "delete"]


@dataclass
class Field:
    name: str
    kind: str
    required: bool
    description: str = ""


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    token: bool = False

    @property
    def anchor(self) -> str:
        route = self.path.removeprefix("/api/v1/").replace("/", "-")
        return f"{self.method.lower()}-{route}".replace("{", "").replace("}", "")


def _component(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def describe(schema: dict, components: dict) -> str:
    """A short reading of a JSON schema: `string ≤ 200`, `integer 0–99`, `list of ShopProductIn`."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        kinds = [describe(s, components) for s in schema["anyOf"]]
        return " | ".join("null" if k == "null" else k for k in kinds)
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"list of {describe(schema.get('items', {}), components)}"
    if kind == "object" and "additionalProperties" in schema:
        return f"object of {describe(schema['additionalProperties'], components)}"
    limits = []
    low, high = schema.get("minimum", schema.get("exclusiveMinimum")), schema.get("maximum")
    if low is not None or high is not None:
        limits.append(f"{'' if low is None else low}–{'' if high is None else high}")
    if "maxLength" in schema:
        limits.append(f"≤ {schema['maxLength']}")
    if "format" in schema:
        limits.append(schema["format"])
    return " ".join([kind, *limits])


def fields_of(schema: dict, components: dict) -> list[Field]:
    """An object schema's fields, the required ones first."""
    schema = _component(schema, components)
    required = set(schema.get("required", ()))
    found = [
        Field(name, describe(prop, components), name in required, prop.get("description", ""))
        for name, prop in schema.get("properties", {}).items()
    ]
    return sorted(found, key=lambda f: not f.required)


def _body_fields(operation: dict, components: dict) -> list[Field]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return fields_of(schema, components) if schema else []


def shapes() -> dict[str, list[Field]]:
    """Every named shape of the document (what `list of ShopProductIn` refers to)."""
    components = api.get_openapi_schema().get("components", {}).get("schemas", {})
    return {name: fields_of(schema, components) for name, schema in sorted(components.items())}


def operations() -> dict[str, list[Operation]]:
    """The document's operations by their first tag, in the document's order."""
    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    grouped: dict[str, list[Operation]] = {}
    for route, methods in document["paths"].items():
        for method in sorted(methods, key=METHOD_ORDER.index):
            spec = methods[method]
            operation = Operation(
                method=method.upper(),
                path=route,
                summary=spec.get("summary", ""),
                description=spec.get("description", ""),
                parameters=[
                    Field(
                        f"{p['name']} ({p['in']})",
                        describe(p.get("schema", {}), components),
                        p.get("required", False),
                        p.get("description", p.get("schema", {}).get("description", "")),
                    )
                    for p in spec.get("parameters", [])
                ],
                body=_body_fields(spec, components),
                answers=sorted(spec.get("responses", {})),
                token=bool(spec.get("security")),
            )
            grouped.setdefault((spec.get("tags") or ["api"])[0], []).append(operation)
    return grouped


@require_GET
@shop_member_required
def api_docs(request: HttpRequest) -> HttpResponse:
    document = api.get_openapi_schema()
    return render(
        request,
        "dashboard/shop/api_docs.html",
        {
            "shop": request.shop,
            "base": request.build_absolute_uri("/api/v1/"),
            "introduction": document["info"].get("description", ""),
            "groups": operations(),
            "shapes": shapes(),
        },
    )


urlpatterns = [path("settings/api-docs/", api_docs, name="api_docs")]
