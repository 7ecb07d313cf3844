"""Reading what a buyer ordered: "kaos hitam L 2pcs, tote bag + 1 lusin nastar" → items.

Pure functions over a `Catalogue`. A line may hold several items (commas, "+", "dan", "&",
";"); each item has a quantity in any of the forms buyers write (`2x`, `x2`, `2 pcs`,
`qty: 2`, `(2)`, "dua", "1 lusin" = 12, "sekodi" = 20, or a bare number), a product named by
any distinctive part of its name and its variant's option values before or after it. Words
are compared one by one, typos forgiven by rapidfuzz above a confidence threshold. What cannot
be matched is never dropped: it becomes an item with an error quoting its text.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein

from openpo.intake.catalogue import Catalogue, Entry
from openpo.intake.results import ParsedItem, Problem

# A word counts as the catalogue's word from this similarity (0–100) on; shorter words must
# be exact (a one-letter slip in "abu" is another word).
FUZZY_THRESHOLD = 82  # one slip in six letters; "perum" (an estate) is not "serum"
FUZZY_MIN_LENGTH = 4
EDIT_SIMILARITY = 0.75
MAX_QUANTITY = 100_000

NUMBER_WORDS = {
    "nol": 0,
    "satu": 1,
    "se": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "sebelas": 11,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
}
TRADE_UNITS = {"lusin": 12, "losin": 12, "dozen": 12, "kodi": 20}
COUNT_UNITS = (
    "pcs|pc|psc|pcs\\.|pieces|piece|buah|bh|biji|bj|pasang|psg|set|lembar|lbr|box|pack|pak|"
    "porsi|botol|btl|toples|tples|pax|unit|potong|ptg|helai|cup|bungkus|bks|item|items|ea|"
    "kotak|dus|pouch|roll|yard|loyang|pot|tray|kaleng|renceng|karton|sachet|tube|jar"
)
_NUMBER = r"(?<![\w.,])(-?\d{1,6})"
_WORD_NUMBER = "|".join(sorted((w for w in NUMBER_WORDS if w != "se"), key=len, reverse=True))
# Money written beside an item ("@85rb", "= Rp 170.000", "150k") is not a quantity.
MONEY = re.compile(
    r"(?:[@=]\s*)?(?:rp\.?\s*\d[\d.,]*|\d+(?:[.,]\d{3})+(?:,-)?|\d+(?:[.,]\d+)?\s*(?:rb|ribu|k|jt|juta)\b)",
    re.IGNORECASE,
)
TRADE = re.compile(
    rf"(?:\b(\d{{1,4}}|{_WORD_NUMBER}|setengah|1/2|½)\s*|\bse)(lusin|losin|dozen|kodi)\b",
    re.IGNORECASE,
)
TRADE_ALONE = re.compile(r"\b(lusin|losin|dozen|kodi)\b", re.IGNORECASE)
EXPLICIT = [
    re.compile(
        r"(?:^|(?<=\s)|(?<=[(\[]))(?:qty|jumlah|jml|sebanyak|quantity)\s*[:=.]?\s*(-?\d{1,6})\b",
        re.I,
    ),
    re.compile(rf"{_NUMBER}\s*(?:{COUNT_UNITS})(?![a-z])", re.I),
    re.compile(r"(?<![a-z0-9])[x×*]\s*(-?\d{1,6})\b", re.I),
    re.compile(rf"{_NUMBER}\s*[x×](?![a-z0-9])", re.I),
    re.compile(rf"[(\[]\s*{_NUMBER}\s*(?:{COUNT_UNITS})?\s*[)\]]", re.I),
    re.compile(r"(?:^|\s)[=@]\s*(-?\d{1,6})\b(?!\s*[.,]\d)", re.I),
    re.compile(r"(?:^|\s)(-\d{1,6})(?!\S)"),  # "kaos hitam M -1": a minus is no dash here
]
# "qty: banyak", "jumlah: ??": a quantity asked for and not given as a number.
NOT_A_QUANTITY = re.compile(r"\b(?:qty|jumlah|jml|quantity)\s*[:=]\s*([^\s\d,;][^\s,;]*)", re.I)
WORD_QUANTITY = re.compile(
    rf"\b({_WORD_NUMBER})(?:\s*(?:{COUNT_UNITS})(?![a-z]))?\b", re.IGNORECASE
)
# Separators between items on one line; not inside a product's or option's own name.
SEPARATORS = re.compile(
    r"\s*(?:,|;|\+|&|\s(?:dan|and|sama|sm|ama|plus|serta|trus|terus|lalu)\s)\s*", re.IGNORECASE
)
FILLER = {
    "mau",
    "pesan",
    "pesen",
    "order",
    "beli",
    "ambil",
    "ya",
    "yaa",
    "yah",
    "kak",
    "ka",
    "kakak",
    "min",
    "admin",
    "sis",
    "gan",
    "mba",
    "mbak",
    "mas",
    "bu",
    "dong",
    "donk",
    "aja",
    "saja",
    "yang",
    "yg",
    "nya",
    "untuk",
    "utk",
    "buat",
    "size",
    "sz",
    "ukuran",
    "uk",
    "warna",
    "color",
    "colour",
    "varian",
    "variant",
    "model",
    "isi",
    "rasa",
    "topping",
    "tolong",
    "mohon",
    "please",
    "pls",
    "aku",
    "saya",
    "sy",
    "i",
    "want",
    "the",
    "of",
    "with",
    "pcs",
    "pc",
    "x",
    "jadi",
    "total",
    "ready",
    "produk",
    "product",
    "item",
    "nomor",
    "no",
    "each",
    "masing",
    "masing2",
    "per",
    "gr",
    "gram",
    "grm",
    "g",
    "kg",
    "ml",
    "nol",
    "sama",
    "dan",
    "plus",
    "tambah",
    "juga",
    "lagi",
    "ukr",
    "an",
    "assalamualaikum",
    "eh",
    "maaf",
    "sorry",
    "ko",
    "koreksi",
    "ralat",
    "assalamu",
    "alaikum",
    "wr",
    "wb",
    "salam",
    "hello",
    "halo",
    "hai",
    "hi",
    "selamat",
    "pagi",
    "siang",
    "sore",
    "malam",
    "pak",
    "bun",
    "ini",
    "itu",
    "kayak",
    "seperti",
    "di",
    "foto",
    "gambar",
    "mw",
    "mo",
    "aq",
    "can",
    "thanks",
    "makasih",
    "gpp",
    "ok",
    "oke",
    "kami",
    "disiapkan",
    "siapkan",
    "minta",
}
SIZE_ALIASES = {
    "2xl": "xxl",
    "xxl": "xxl",
    "3xl": "xxxl",
    "xxxl": "xxxl",
    "4xl": "xxxxl",
    "allsize": "allsize",
    "all": "allsize",
    "small": "s",
    "gram": "gr",
    "grm": "gr",
    "grams": "gr",
    "g": "gr",
    "ga": "tidak",
    "gak": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "enggak": "tidak",
    "tdk": "tidak",
    "pedes": "pedas",
    "meter": "m",
    "mtr": "m",
    "medium": "m",
    "large": "l",
}
WORD = re.compile(r"[0-9a-z\u00c0-\u024f]+")
SIZE_TOKEN = re.compile(r"\d*x+[sl]|\d+xs|[sml]")
GLUED = re.compile(r"(\d+)([a-z]+)|([a-z]+)(\d+)")


class Msg:
    unknown_product = _("No product of this PO matches “%(text)s”.")
    ambiguous_product = _("“%(text)s” could be several products: %(choices)s. Write which one.")
    missing_variant = _("“%(text)s”: choose the %(option)s (%(choices)s).")
    unknown_variant = _("“%(text)s”: %(product)s has no %(value)s; it comes in %(choices)s.")
    one_kind = _("“%(text)s”: %(product)s comes in one kind only, without %(value)s.")
    bad_quantity = _("“%(text)s”: the quantity must be at least 1.")
    too_many = _("“%(text)s”: that quantity is too large.")
    not_a_number = _("“%(text)s”: the quantity “%(value)s” is not a number.")
    assumed_quantity = _("“%(text)s”: no quantity written, 1 assumed.")
    fuzzy_match = _("“%(text)s” read as %(item)s.")


@dataclass
class _Product:
    key: int | str
    name: str
    words: tuple[str, ...]
    entries: list[Entry]
    # option position → {normalised value: display value}
    values: list[dict[str, str]] = field(default_factory=list)

    @property
    def option_words(self) -> frozenset[str]:
        """The names of its options ("motif", "usia"): said, not chosen."""
        return frozenset(w for name in self.entries[0].option_names for w in _words(name))

    @property
    def joined(self) -> dict[str, tuple[str, ...]]:
        """Two words of the name written as one ("liptint" for "Lip Tint")."""
        return {a + b: (a, b) for a, b in zip(self.words, self.words[1:], strict=False)}


@dataclass
class _Index:
    products: list[_Product]
    word_weight: dict[str, float]  # product word → how much it tells products apart
    values: frozenset[str]  # every word of an option value, of any product
    vocabulary: frozenset[str]  # every product word and option value word, for fuzzy lookup
    protected: re.Pattern | None  # names holding a separator ("Roti Coklat & Keju")
    phrases: re.Pattern | None = None  # the values of several words ("Lipat Dua")
    singles: frozenset[str] = frozenset()  # product words and one-word values


WEIGHT = re.compile(
    r"(?<![\w/])(\d+(?:[.,]\d+)?|1/2|1/4|3/4|½|¼|setengah|seperempat)\s*(kg|kilo|kilogram)\b",
    re.IGNORECASE,
)
FRACTIONS = {"1/2": 0.5, "½": 0.5, "setengah": 0.5, "1/4": 0.25, "¼": 0.25, "seperempat": 0.25}
FRACTIONS["3/4"] = 0.75


def grams(text: str) -> str:
    """Weights in grams, as sellers name their jars: "1/2 kg" → "500 gr"."""

    def convert(match: re.Match) -> str:
        amount = match.group(1).lower()
        kilos = FRACTIONS.get(amount) or float(amount.replace(",", "."))
        return f" {round(kilos * 1000)} gr "

    return WEIGHT.sub(convert, text)


def norm(text: str) -> str:
    return " ".join(_words(text))


def _words(text: str) -> list[str]:
    """Lowercased words, numbers glued to units split ("500gr" → "500 gr") but sizes kept
    ("2xl"), size spellings made one ("2xl" = "xxl")."""
    words = []
    for word in WORD.findall(grams(text).lower()):
        glued = GLUED.fullmatch(word)
        if glued and not SIZE_TOKEN.fullmatch(word):
            words += [w for w in glued.groups() if w]
        else:
            words.append(_size(word))
    return words


def _size(word: str) -> str:
    return SIZE_ALIASES.get(word, word)


@lru_cache(maxsize=64)
def _index(catalogue: Catalogue) -> _Index:
    products = []
    for key, entries in catalogue.products().items():
        product = _Product(key, entries[0].product, tuple(_words(entries[0].product)), entries)
        width = max(len(e.options) for e in entries)
        product.values = [{} for _ in range(width)]
        for entry in entries:
            for position, value in enumerate(entry.options):
                product.values[position][" ".join(_words(value))] = value
        products.append(product)
    counts: dict[str, int] = {}
    for product in products:
        for word in set(product.words):
            counts[word] = counts.get(word, 0) + 1
    # A number in a name ("Kaos Kaki isi 3", "SPF 50") tells products apart less than a word.
    weight = {w: (0.25 if w.isdigit() else 1.0) / n for w, n in counts.items()}
    vocabulary = frozenset(
        {w for p in products for w in p.words}
        | {w for p in products for values in p.values for v in values for w in v.split()}
    )
    joined = [
        name
        for p in products
        for name in [p.name, *(v for values in p.values for v in values.values())]
        if SEPARATORS.search(name)
    ]
    protected = (
        re.compile("|".join(re.escape(n) for n in sorted(joined, key=len, reverse=True)), re.I)
        if joined
        else None
    )
    values = frozenset(
        w for p in products for values in p.values for v in values for w in v.split()
    )
    several = sorted(
        {v for p in products for values in p.values for v in values if " " in v},
        key=len,
        reverse=True,
    )
    phrases = (
        re.compile(
            "|".join(r"\b" + r"\W*".join(map(re.escape, v.split())) + r"\b" for v in several),
            re.IGNORECASE,
        )
        if several
        else None
    )
    singles = frozenset(
        {w for p in products for w in p.words}
        | {v for p in products for values in p.values for v in values if " " not in v}
    )
    return _Index(products, weight, values, vocabulary, protected, phrases, singles)


LEADING_SEPARATOR = re.compile(
    r"^\s*(?:(?:dan|and|sama|sm|ama|plus|serta|trus|terus|lalu|juga|tambah)\b|[+&])\s*", re.I
)


def split_items(text: str, catalogue: Catalogue) -> list[str]:
    """The pieces of one line that may each be an item, not splitting inside a known name."""
    index = _index(catalogue)
    spans = [m.span() for m in index.protected.finditer(text)] if index.protected else []
    spans += [m.span() for m in PARENTHESES.finditer(text)]  # "(nama punggung KEVIN, no 23)"
    pieces, start = [], 0
    for match in SEPARATORS.finditer(text):
        if any(a < match.end() and match.start() < b for a, b in spans):
            continue
        # "1.000" or "2,5" is a number, not two items.
        if match.group().strip() in {",", "."} and _between_digits(text, match):
            continue
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    pieces = [LEADING_SEPARATOR.sub("", p) for p in pieces]
    return [p.strip(" -–—:.") for p in pieces if p.strip(" -–—:.")]


def _between_digits(text: str, match: re.Match) -> bool:
    before = text[match.start() - 1 : match.start()]
    after = text[match.end() : match.end() + 1]
    return before.isdigit() and after.isdigit() and match.end() - match.start() == 1


@dataclass
class _Quantity:
    value: int | None = None
    text: str = ""
    bad: bool = False


def take_quantity(
    text: str, vocabulary: frozenset[str] = frozenset(), index: "_Index | None" = None
) -> tuple[_Quantity, str]:
    """The quantity written in `text` and the text without it (and without prices). Number
    words that are part of a product's name (`vocabulary`) are left in."""
    text = MONEY.sub(" ", text)
    match = TRADE.search(text)
    if match:
        count, unit = match.group(1), match.group(2).lower()
        if count is None:
            number = 1
        elif count.lower() in {"setengah", "1/2", "½"}:
            return _Quantity(TRADE_UNITS[unit] // 2, match.group()), _cut(text, match)
        else:
            number = int(count) if count.isdigit() else NUMBER_WORDS[count.lower()]
        return _Quantity(number * TRADE_UNITS[unit], match.group()), _cut(text, match)
    match = TRADE_ALONE.search(text)
    if match:
        return _Quantity(TRADE_UNITS[match.group(1).lower()], match.group()), _cut(text, match)
    for pattern in EXPLICIT:
        for match in pattern.finditer(text):
            if _unit_is_a_name(match, vocabulary):
                continue  # "robusta 250 biji" when "Biji Utuh" is an option: not 250 units
            return _quantity(int(match.group(1)), match.group()), _cut(text, match)
    match = NOT_A_QUANTITY.search(text)
    if match and match.group(1).lower() not in NUMBER_WORDS:
        return _Quantity(None, match.group(1), bad=True), _cut(text, match)
    match = next(
        (m for m in WORD_QUANTITY.finditer(text) if not _names_a_value(m, text, vocabulary, index)),
        None,
    )
    if match:
        return _Quantity(NUMBER_WORDS[match.group(1).lower()], match.group()), _cut(text, match)
    return _Quantity(), text


def _names_a_value(match: re.Match, text: str, vocabulary, index: "_Index | None") -> bool:
    """A number word that is part of a name: "lipat dua" (when "Lipat Dua" is sold) or a
    product's own word; "lipat tiga dua" still orders two."""
    word = match.group(1).lower()
    if index is None:
        return word in vocabulary
    if word in index.singles:
        return True
    spans = [m.span() for m in index.phrases.finditer(text)] if index.phrases else []
    return any(a <= match.start(1) < b for a, b in spans)


def _unit_is_a_name(match: re.Match, vocabulary: frozenset[str]) -> bool:
    unit = match.group()[match.end(1) - match.start() :].strip(" ()[]").lower()
    return bool(unit) and unit.isalpha() and unit in vocabulary


def _quantity(value: int, text: str) -> _Quantity:
    return _Quantity(value, text.strip(), bad=value <= 0 or value > MAX_QUANTITY)


def _cut(text: str, match: re.Match) -> str:
    return f"{text[: match.start()]} {text[match.end() :]}"


@dataclass
class _Reading:
    """One piece read against one product."""

    product: _Product
    score: float  # how strongly the product's own words were named
    chosen: list[set[str]]  # per option position: the values named
    leftovers: list[str]  # words that are neither the product's nor its values
    fuzzy: list[tuple[str, str]]  # (written, read as)
    numbers: list[str]  # bare numbers not taken as option values
    named: set[str] = field(default_factory=set)  # the product's words that were written


def _match_word(word: str, candidates, *, cutoff: float = FUZZY_THRESHOLD) -> tuple[str, bool]:
    """The candidate this word names (exactly, or fuzzily for longer words), and whether a typo
    was forgiven; ("", False) when none."""
    if word in candidates:
        return word, False
    if len(word) < FUZZY_MIN_LENGTH or word.isdigit() or SIZE_TOKEN.fullmatch(word):
        return "", False  # short words, numbers and sizes ("4xl" is not "xxxl") are exact
    close = process.extract(
        word,
        [c for c in candidates if len(c) >= FUZZY_MIN_LENGTH - 1 and not c.isdigit()],
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        limit=3,
    )
    for candidate, _score, _index in close:
        # The ratio forgives letters left out ("maria" is in "markisa"); a typo is also few
        # edits by Levenshtein's count.
        if Levenshtein.normalized_similarity(word, candidate) >= EDIT_SIMILARITY:
            return candidate, True
    # Two letters swapped ("hiatm", "ptuih"): one slip, though the ratio counts two.
    for candidate in candidates:
        if (
            len(candidate) == len(word)
            and sorted(candidate) == sorted(word)
            and DamerauLevenshtein.distance(word, candidate) == 1
        ):
            return candidate, True
    # Written without vowels ("blkg" for "belakang"): its letters in order, the same first.
    skeleton = [
        c
        for c in candidates
        if len(word) >= 3
        and c[:1] == word[:1]
        and len(word) >= 0.45 * len(c)
        and sum(ch in "aeiou" for ch in word) <= 1
        and _in_order(word, c)
    ]
    if len(skeleton) == 1:
        return skeleton[0], True
    # Words run together or cut short: "hitamm", "pashm": a prefix of a longer name.
    for candidate in candidates:
        if len(word) >= 5 and len(candidate) >= 5 and candidate.startswith(word):
            return candidate, True
    return "", False


def _in_order(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


def _read(product: _Product, words: list[str], weight: dict[str, float]) -> _Reading:
    reading = _Reading(product, 0.0, [set() for _ in product.values], [], [], [])
    named = reading.named
    # Multi-word option values ("broken white", "abu misty", "250 gr") first, as phrases.
    text = " " + " ".join(words) + " "
    for position, values in enumerate(product.values):
        for value in sorted(values, key=len, reverse=True):
            if " " in value and f" {value} " in text:
                reading.chosen[position].add(values[value])
                text = text.replace(f" {value} ", " ")
    for word in _joined_words(product, text.split()):
        if (word in FILLER or word in product.option_words) and (
            word not in product.words and not _is_value(product, word)
        ):
            continue
        position, value = _value_of(product, word)
        if value is not None:
            reading.chosen[position].add(value)
            continue
        hit, typo = _match_word(word, product.words)
        if hit:
            if hit not in named:
                reading.score += weight.get(hit, 0.0)
                named.add(hit)
            if typo:
                reading.fuzzy.append((word, hit))
            continue
        position, value, typo_of = _fuzzy_value(product, word)
        if value is not None:
            reading.chosen[position].add(value)
            reading.fuzzy.append((word, typo_of))
            continue
        joined = product.joined
        hit, typo = _match_word(word, joined) if joined else ("", False)
        if hit:
            for part in joined[hit]:
                if part not in named:
                    reading.score += weight.get(part, 0.0)
                    named.add(part)
            continue
        if word.isdigit():
            reading.numbers.append(word)
        else:
            reading.leftovers.append(word)
    return reading


def _joined_words(product: _Product, words: list[str]) -> list[str]:
    """The buyer's words, two merged where the name has them as one ("tote bag" for
    "Totebag")."""
    merged: list[str] = []
    index = 0
    while index < len(words):
        pair = words[index] + words[index + 1] if index + 1 < len(words) else ""
        if pair and pair in product.words and words[index] not in product.words:
            merged.append(pair)
            index += 2
            continue
        merged.append(words[index])
        index += 1
    return merged


# Never the start of a value: "kec" is a kecamatan, not "Kecil".
ADDRESS_ABBREVIATIONS = frozenset(
    {"jl", "jln", "gg", "kel", "kec", "kab", "kota", "komp", "perum", "prov", "desa", "dusun"}
    | {"blok", "blk", "rt", "rw", "kav", "apt", "lt", "no", "dsn", "ds", "kp", "kmp"}
)


def _number_value(product: _Product, number: str) -> tuple[int, str | None]:
    """The one multi-word value holding this number ("Isi 20" for "20"), if only one."""
    for position, values in enumerate(product.values):
        found = [v for v in values if " " in v and number in v.split()]
        if len(found) == 1:
            return position, values[found[0]]
    return -1, None


def _is_value(product: _Product, word: str) -> bool:
    return any(word in values for values in product.values)


def _value_of(product: _Product, word: str) -> tuple[int, str | None]:
    for position, values in enumerate(product.values):
        if word in values:
            return position, values[word]
    return -1, None


def _fuzzy_value(product: _Product, word: str) -> tuple[int, str | None, str]:
    for position, values in enumerate(product.values):
        single = [v for v in values if " " not in v]
        hit, _typo = _match_word(word, single)
        if hit:
            return position, values[hit], hit
        # The start of a value ("ori" for "Original"), if it starts only one.
        starts = [v for v in single if len(word) >= 3 and v.startswith(word) and v != word]
        if len(starts) == 1 and word.isalpha() and word not in ADDRESS_ABBREVIATIONS:
            return position, values[starts[0]], starts[0]
        # One word of a multi-word value ("misty" for "Abu Misty"), if it names only one.
        partial = [
            v
            for v in values
            if " " in v and word in v.split() and len(word) >= 3 and not word.isdigit()
        ]
        if len(partial) == 1:
            return position, values[partial[0]], partial[0]
    return -1, None, ""


def _entries_for(reading: _Reading) -> list[Entry]:
    return [
        entry
        for entry in reading.product.entries
        if all(
            not chosen or (position < len(entry.options) and entry.options[position] in chosen)
            for position, chosen in enumerate(reading.chosen)
        )
    ]


def _value_hits(reading: _Reading) -> int:
    return sum(1 for chosen in reading.chosen if chosen)


def parse_items(
    text: str, catalogue: Catalogue
) -> tuple[list[ParsedItem], list[Problem], list[Problem]]:
    """Every item in `text` (one or several lines), with the errors and warnings met."""
    items: list[ParsedItem] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for line in text.splitlines():
        line = strip_bullet(line)
        if not line:
            continue
        previous: _Piece | None = None
        for piece_text in split_items(line, catalogue):
            piece = _read_piece(piece_text, catalogue, previous)
            if piece is None:
                continue
            if piece.merge_into_previous and items:
                # "Kaos hitam, M, 2 pcs": the pieces after the first finish it.
                merged = f"{items[-1].text}, {piece_text}"
                items.pop()
                _drop_problems(errors, warnings, previous)
                piece = _read_piece(merged, catalogue, None) or piece
            previous = piece
            items.append(piece.item)
            piece.errors and errors.extend(piece.errors)
            piece.warnings and warnings.extend(piece.warnings)
    return _without_headings(items, errors, warnings)


def _without_headings(items, errors, warnings):
    """ "Kak order jersey ya" above "S 2, M 5": a line naming only the product, with no
    variant and no quantity, is the heading of the lines that choose its variants."""
    chosen = {i.product for i in items if i.sku}
    vague = [
        i
        for i in items
        if not i.sku
        and i.product in chosen
        and any(p.code == "missing_variant" and p.text == i.text for p in errors)
        and any(p.code == "assumed_quantity" and p.text == i.text for p in warnings)
    ]
    if not vague:
        return items, errors, warnings
    texts = {i.text for i in vague}
    return (
        [i for i in items if i not in vague],
        [p for p in errors if p.text not in texts],
        [p for p in warnings if p.text not in texts],
    )


def _drop_problems(errors: list[Problem], warnings: list[Problem], piece) -> None:
    if piece is None:
        return
    for problem in piece.errors:
        if problem in errors:
            errors.remove(problem)
    for problem in piece.warnings:
        if problem in warnings:
            warnings.remove(problem)


BULLET = re.compile(r"^\s*(?:[-–—•*·▪►➤>✅✔️☑️🔸🔹▫️◾◽]+|\d{1,2}\s*[.)]\s+(?=\D)|[a-e][.)]\s+)\s*")


def strip_bullet(line: str) -> str:
    return BULLET.sub("", line, count=1).strip()


@dataclass
class _Piece:
    item: ParsedItem
    errors: list[Problem]
    warnings: list[Problem]
    entry: Entry | None = None
    reading: _Reading | None = None
    merge_into_previous: bool = False
    quantity_written: bool = False


def _read_piece(text: str, catalogue: Catalogue, previous: "_Piece | None") -> _Piece | None:
    index = _index(catalogue)
    matched_text = _without_purpose(_without_asides(text, index), index)
    quantity, rest = take_quantity(grams(matched_text), index.vocabulary, index)
    words = _words(rest)
    content = [w for w in words if w not in FILLER or w in index.vocabulary]
    if not content and quantity.value is None:
        return None
    readings = [_read(product, content, index.word_weight) for product in index.products]
    best = _choose(readings)
    item = ParsedItem(text=text.strip())
    # A piece naming no product of its own: the previous item's quantity or option ("M, 2").
    if previous is not None and (best is None or isinstance(best, list) or best.score == 0):
        own = _continuation(previous, readings, quantity, content)
        if own == "merge":
            return _Piece(item, [], [], merge_into_previous=True)
        # "kaos hitam M, sage L": sage is the hoodie's, not another kaos.
        if own is not None and not (
            isinstance(best, _Reading) and len(best.leftovers) < len(own.leftovers)
        ):
            best = own
    if isinstance(best, list) and any(_unexplained(r) for r in best):
        best = None  # "pasmina hitam": the colour is common, the product unknown
    elif (
        isinstance(best, _Reading)
        and _unexplained(best)
        and _weakly_named(best, index)
        and not _named_by_own_values(best, readings)
    ):
        # "gamis hitam L", "kue sagu keju": other words name another product; unless the
        # words are all another product's values ("ocean breeze 50ml" beside "SPF 50").
        by_values = [
            r
            for r in readings
            if r is not best and _value_hits(r) and _entries_for(r) and not _unexplained(r)
        ]
        best = by_values[0] if len(by_values) == 1 else None
    if best is None:
        if not content:  # a bare quantity with nothing to attach it to
            return None
        return _Piece(item, [Problem("unknown_product", Msg.unknown_product, text.strip())], [])
    if isinstance(best, list):
        names = ", ".join(r.product.name for r in best)
        problem = Problem(
            "ambiguous_product", _fmt(Msg.ambiguous_product, choices=names), text.strip()
        )
        return _Piece(item, [problem], [])
    return _finish(item, best, quantity, catalogue)


PARENTHESES = re.compile(r"\([^()]*\)")


def _without_asides(text: str, index: "_Index") -> str:
    """A remark in brackets that names nothing of the catalogue is the buyer's note, not the
    item: "Jersey L 1 (nama punggung KEVIN, no 23)"; "(2)", "(20cm)" stay."""

    def keep(match: re.Match) -> str:
        words = _words(match.group())
        if not words or any(w in index.vocabulary or w.isdigit() for w in words[:1]):
            return match.group()
        if any(w in index.vocabulary for w in words):
            return match.group()
        return " "

    return PARENTHESES.sub(keep, text)


PURPOSE = re.compile(r"(?:^|\s)(?:buat|untuk|utk|for)\s.*$", re.IGNORECASE)


def _without_purpose(text: str, index: "_Index") -> str:
    """ "jersey L 2 buat tim futsal kantor": what it is for is not what it is."""
    match = PURPOSE.search(text)
    if match is None or any(w in index.vocabulary for w in ("buat", "untuk", "utk", "for")):
        return text
    if any(w in index.values for w in _words(match.group())[1:]):
        return text  # "casing buat Samsung A54": the model it is for is the variant
    return text[: match.start()]


def _fmt(message, **params) -> str:
    """Fill every parameter but the quoted text, which `Problem` fills."""
    return str(message).replace("%(text)s", "%%(text)s") % params


def _choose(readings: list[_Reading]):
    """The product named, a list when several are named equally, None when none is."""

    def strength(r: _Reading) -> tuple:
        entries = _entries_for(r)
        hits = _value_hits(r) if entries else 0
        # The options named count too: "kaos biru 3-4 th" is the kaos sold in 3-4 th.
        return (r.score + 0.5 * hits, bool(entries) and hits > 0, hits, -len(r.leftovers))

    named = [r for r in readings if r.score > 0]
    if not named:
        # Only option values ("hitam L"): the product whose values they are, if only one.
        by_values = [r for r in readings if _value_hits(r) and _entries_for(r)]
        if len(by_values) == 1:
            return by_values[0]
        if len(by_values) > 1:
            best = max(by_values, key=_value_hits)
            ties = [r for r in by_values if _value_hits(r) == _value_hits(best)]
            return ties if len(ties) > 1 else best
        return None
    named.sort(key=strength, reverse=True)
    top = named[0]
    ties = [r for r in named if strength(r) == strength(top)]
    if len(ties) > 1:
        # Equally named: the one whose whole name was written wins ("kaos" vs "kaos anak").
        exact = [r for r in ties if not r.leftovers and _whole_name(r)]
        if len(exact) == 1:
            return exact[0]
        shortest = min(ties, key=lambda r: len(r.product.words))
        if sum(1 for r in ties if len(r.product.words) == len(shortest.product.words)) == 1:
            return shortest
        return ties
    return top


def _weakly_named(reading: _Reading, index: "_Index") -> bool:
    """Named by no word of its own, or only by words that are also option values ("keju")."""
    return all(
        word in index.values or word.isdigit() or index.word_weight.get(word, 0) < 0.34
        for word in reading.named
    )  # "garukan kucing": "kucing" is in four products' names


def _named_by_own_values(reading: _Reading, readings: list[_Reading]) -> bool:
    """A value only this product has ("dino" for the pyjamas) names it as well as its name."""
    chosen = {v.lower() for values in reading.chosen for v in values}
    others = {
        v.lower()
        for r in readings
        if r is not reading
        for values in r.product.values
        for v in values.values()
    }
    # A size or a number is too common to name a product by ("gamis hitam L" is no bergo).
    return any(
        any(w.isalpha() and len(w) >= 3 and w not in SIZES for w in value.split())
        for value in chosen - others
    )


def _unexplained(reading: _Reading) -> bool:
    return any(w not in FILLER for w in reading.leftovers)


def _whole_name(reading: _Reading) -> bool:
    return reading.score > 0 and all(reading.product.words.count(w) for w in reading.product.words)


def _continuation(previous: _Piece, readings, quantity: _Quantity, content: list[str]):
    """What a piece without its own product means after `previous`: "merge" (it finishes the
    previous item), a reading of the previous product (another variant of it), or None."""
    if previous.reading is None:
        return None
    same = next(r for r in readings if r.product.key == previous.reading.product.key)
    if not _value_hits(same) and not same.leftovers and not same.numbers:
        # Only a quantity: it belongs to the previous item if that had none.
        return "merge" if not previous.quantity_written or previous.errors else None
    if _unexplained(same) and not _value_hits(same):
        return None  # other words altogether ("kirim ke jl. anggrek")
    if previous.entry is None:  # the previous item was not finished: this finishes it
        return "merge"
    # Another variant of the previous item: inherit the options not named ("hitam M, L").
    inherited = [set(c) for c in same.chosen]
    for position, chosen in enumerate(inherited):
        if not chosen and position < len(previous.entry.options):
            chosen.add(previous.entry.options[position])
    same.chosen = inherited
    same.score = previous.reading.score
    return same


def _finish(
    item: ParsedItem, reading: _Reading, quantity: _Quantity, catalogue: Catalogue
) -> _Piece:
    product = reading.product
    errors: list[Problem] = []
    warnings: list[Problem] = []
    text = item.text
    item.product = product.name
    # A bare number that is not an option value is the quantity ("kaos hitam L 2").
    numbers = list(reading.numbers)
    for number in list(numbers):  # "dimsum 20an 2 box": the 20 of "Isi 20"
        position, value = _number_value(product, number)
        if value is not None and not reading.chosen[position]:
            reading.chosen[position].add(value)
            numbers.remove(number)
    if quantity.value is None and numbers:
        quantity = _quantity(int(numbers.pop()), "")
    if quantity.value is None:
        quantity = _number_value_as_quantity(reading, text) or quantity
    entries = _entries_for(reading)
    piece = _Piece(item, errors, warnings, reading=reading)
    conflicting = [position for position, chosen in enumerate(reading.chosen) if len(chosen) > 1]
    if not entries or conflicting:
        errors.append(_unknown_variant(product, _unknown_value(reading), text))
    elif len(entries) > 1:
        missing = [
            position
            for position, chosen in enumerate(reading.chosen)
            if not chosen and len({e.options[position] for e in entries}) > 1
        ]
        leftover = [w for w in reading.leftovers if w not in FILLER] + numbers
        if leftover:
            errors.append(_unknown_variant(product, " ".join(leftover), text))
        else:
            position = missing[0] if missing else 0
            names = product.entries[0].option_names
            option = names[position] if position < len(names) else str(_("variant"))
            choices = ", ".join(dict.fromkeys(e.options[position] for e in entries))
            errors.append(
                Problem(
                    "missing_variant",
                    _fmt(Msg.missing_variant, option=option.lower(), choices=choices),
                    text,
                )
            )
    elif _stray_size(reading):
        # "kaos kopi senja L": a size for a product that has none — another product, or a
        # size that is not sold; either way not this one as it stands.
        code = "unknown_product" if _unexplained_words(reading) else "unknown_variant"
        message = (
            Msg.unknown_product
            if code == "unknown_product"
            else _fmt(Msg.one_kind, product=product.name, value=_unknown_value(reading))
        )
        errors.append(Problem(code, message, text))
    else:
        entry = entries[0]
        piece.entry = entry
        item.variant, item.sku = entry.variant, entry.sku
        item.variant_id, item.price = entry.variant_id, entry.price
        if reading.fuzzy:
            label = f"{entry.product} {entry.variant}" if entry.variant else entry.product
            warnings.append(Problem("fuzzy_match", _fmt(Msg.fuzzy_match, item=label), text))
    piece.quantity_written = quantity.value is not None or quantity.bad
    if quantity.value is None and quantity.bad:
        item.quantity = None
        errors.append(Problem("bad_quantity", _fmt(Msg.not_a_number, value=quantity.text), text))
    elif quantity.value is None:
        item.quantity = 1
        warnings.append(Problem("assumed_quantity", Msg.assumed_quantity, text))
    else:
        item.quantity = quantity.value
        if quantity.bad:
            message = Msg.bad_quantity if quantity.value <= 0 else Msg.too_many
            errors.append(Problem("bad_quantity", message, text))
    return piece


def _number_value_as_quantity(reading: _Reading, text: str) -> "_Quantity | None":
    """ "2 kaos anak size 8": two numbers that are both sizes; the one in front (else the
    last) is how many."""
    for chosen in reading.chosen:
        if len(chosen) != 2 or not any(v.isdigit() for v in chosen):
            continue
        numbers = re.findall(r"\d+", text)
        lead = re.match(r"\s*(\d+)\b", text)
        pick = lead.group(1) if lead and lead.group(1) in chosen else None
        pick = pick or next((n for n in reversed(numbers) if n in chosen), None)
        if pick is not None:
            chosen.discard(pick)
            return _quantity(int(pick), pick)
    return None


SIZES = frozenset({"xs", "s", "m", "l", "xl", "xxl", "xxxl", "xxxxl", "allsize"})


def _stray_size(reading: _Reading) -> bool:
    """A clothing size written for a product that has no such choice."""
    return any(w in SIZES for w in reading.leftovers)


def _unexplained_words(reading: _Reading) -> list[str]:
    return [w for w in reading.leftovers if w not in FILLER and w not in SIZES]


def _unknown_variant(product: _Product, value: str, text: str) -> Problem:
    message = _fmt(
        Msg.unknown_variant, product=product.name, value=value, choices=_choices(product)
    )
    return Problem("unknown_variant", message, text)


def _choices(product: _Product) -> str:
    """`Hitam, Putih / S, M, L`: the values of each option."""
    return " / ".join(", ".join(values.values()) for values in product.values)


def _unknown_value(reading: _Reading) -> str:
    words = [w for w in reading.leftovers if w not in FILLER] + reading.numbers
    if words:
        return " ".join(words)
    named = [v for chosen in reading.chosen for v in chosen]
    return " + ".join(named) if named else "?"


def item_line(item: ParsedItem) -> str:
    """A matched item written so the parser reads it back the same: `Kaos Polos M / Hitam x2`."""
    if not item.matched:  # unread, or its quantity was wrong: as the buyer wrote it
        return item.text
    name = f"{item.product} {item.variant}" if item.variant else str(item.product)
    return f"{name} x{item.quantity}"


def items_text(items: list[ParsedItem]) -> str:
    return "\n".join(item_line(item) for item in items)
