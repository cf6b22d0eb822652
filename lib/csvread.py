"""Reading spreadsheet exports as teachers' administration systems and Excel write them."""

import codecs
import csv
import io
from dataclasses import dataclass

import charset_normalizer


class CsvError(ValueError):
    pass


# What school administration systems and Excel write on Dutch, Turkish, Polish, old DOS and
# Mac machines. Detection among fewer candidates is much more reliable on short files.
CANDIDATES = ["utf_8", "cp1252", "iso8859_15", "cp1254", "cp1250", "cp850", "mac_roman"]
ENCODING_LABELS = {
    "utf_8": "UTF-8",
    "utf_16": "UTF-16",
    "cp1252": "Windows-1252 (West-Europees)",
    "iso8859_15": "ISO-8859-15 (West-Europees)",
    "cp1254": "Windows-1254 (Turks)",
    "cp1250": "Windows-1250 (Centraal-Europees)",
    "cp850": "DOS (cp850)",
    "mac_roman": "Mac Roman",
}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # a Python codec name, e.g. "utf_8" or "cp1252"

    @property
    def label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def is_utf8(self) -> bool:
        return self.encoding == "utf_8"


def detect(data: bytes) -> Decoded:
    """Decode an export whatever the machine that wrote it.

    A byte order mark decides; bytes that are valid UTF-8 are UTF-8 (the chance that another
    encoding's non-ASCII text is valid UTF-8 is negligible); otherwise charset-normalizer
    chooses among the candidates. Where several candidates read the file identically,
    Windows-1252 (Excel on Dutch Windows) is named.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf_8"),
        (codecs.BOM_UTF16_LE, "utf_16"),
        (codecs.BOM_UTF16_BE, "utf_16"),
    ):
        if data.startswith(bom):
            text = data.decode("utf_16" if codec == "utf_16" else "utf_8_sig", errors="replace")
            return Decoded(text=text, encoding=codec)
    try:
        return Decoded(text=data.decode("utf_8"), encoding="utf_8")
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(data, cp_isolation=CANDIDATES[1:])
    best = matches.best()
    if best is None:
        return Decoded(text=data.decode("cp1252", errors="replace"), encoding="cp1252")
    for match in matches:
        if match.chaos <= best.chaos and "cp1252" in match.could_be_from_charset:
            return Decoded(text=str(match), encoding="cp1252")
    return Decoded(text=str(best), encoding=best.encoding)


def decode(data: bytes) -> str:
    return detect(data).text


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).lower()


@dataclass
class Row:
    line: int  # the line number a spreadsheet shows (the header is line 1)
    values: dict[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "")


def read_rows(text: str) -> tuple[list[str], list[Row]]:
    """Header names (normalised, lower case) and the non-blank rows with stripped values.

    The delimiter is `;` or `,`, whichever the header line uses most.
    """
    # Only CR and LF end a line: str.splitlines() would also break a row at U+2028, U+0085 or
    # a form feed inside a name, which the import must see (and refuse) instead.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise CsvError("Het bestand is leeg.")
    header_line = lines[header_index]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[Row] = []
    for record in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if headers is None:
            headers = [normalise_header(cell) for cell in record]
            continue
        values = {
            headers[i]: record[i].strip()
            for i in range(min(len(headers), len(record)))
            if headers[i]
        }
        rows.append(Row(line=number, values=values))
    return headers or [], rows
