"""What the parts of a buyer's message look like: a phone number, an address, an email, a
question, emoji; shared by the parser and what it leans on."""

import re

PHONE_LIKE = re.compile(r"(?<![\d\w])(?:\+?\s?62|0)\s?8[\d\s\-.()]{6,16}\d(?!\d)")


ANY_NUMBER = re.compile(r"\+?\d[\d\s\-.()]{4,}\d")


EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


ADDRESS_WORDS = re.compile(
    r"\b(?:jl|jln|jalan|gg|gang|rt|rw|blok|blk|kel|kec|kab|kota|desa|ds|dusun|dsn|perum|"
    r"perumahan|komplek|kompleks|komp|apartemen|apt|tower|lantai|lt|kav|kavling|kode\s?pos|"
    r"kelurahan|kecamatan|kabupaten|provinsi|prov|cluster|ruko|no\.?\s?\d+|street|st|road|"
    r"village|sleman|bantul|jakarta|bandung|surabaya|semarang|yogyakarta|jogja|depok|bekasi|"
    r"tangerang|bogor|malang|medan|makassar|denpasar|solo|surakarta)\b|\b\d{5}\b",
    re.IGNORECASE,
)


QUESTION = re.compile(
    r"\?\s*$|\b(?:apakah|masih ada|ready gak|ready ga|ready nggak|berapa)\b", re.I
)


EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U000e0000-\U000e007f]+"
)


def trim(text: str) -> str:
    return text.strip(" ,;:.-–~/|")
