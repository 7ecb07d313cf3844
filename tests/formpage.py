"""What a page sent back with errors leads to: which element takes the focus (`autofocus`),
which fields say they are wrong (`aria-invalid`), the error summary's lines and links, and
whether the summary sits right above the submit button (core.forms and
templates/_form_errors_near_submit.html)."""

import re
from html.parser import HTMLParser

# The summary's box, then at most the opening of the buttons' row, then a submit button.
_SUMMARY_THEN_BUTTON = re.compile(
    r'<div class="error-summary".*?</ul>\s*</div>\s*(?:<div class="actions">\s*|<p>\s*)?'
    r'<button type="submit"',
    re.S,
)


def summary_right_above_a_button(html: str) -> bool:
    return bool(_SUMMARY_THEN_BUTTON.search(html))


class FormPage(HTMLParser):
    """A page's form controls and its error summary, read from its HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.inputs: dict[str, dict] = {}  # name → attributes
        self.autofocused: list[dict] = []  # attributes of each element with autofocus
        self.summary: dict | None = None
        self.summary_links: list[str] = []  # the href of each link in the summary
        self.summary_text = ""
        self._summary_depth = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        attributes.setdefault("tag", tag)
        classes = (attributes.get("class") or "").split()
        if "autofocus" in attributes:
            self.autofocused.append(attributes)
        if tag in ("input", "select", "textarea") and attributes.get("name"):
            self.inputs[attributes["name"]] = attributes
        if tag == "div":
            if self._summary_depth:
                self._summary_depth += 1
            elif "error-summary" in classes:
                self.summary, self._summary_depth = attributes, 1
        if tag == "a" and self._summary_depth:
            self.summary_links.append(attributes.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._summary_depth:
            self._summary_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._summary_depth:
            self.summary_text += data

    @property
    def focused(self) -> str:
        """The id of the element that takes the focus on load (the first with autofocus)."""
        return self.autofocused[0].get("id", "") if self.autofocused else ""

    @property
    def invalid(self) -> list[str]:
        return [name for name, attrs in self.inputs.items() if attrs.get("aria-invalid") == "true"]
