"""Reading spreadsheet exports as teachers' administration systems and Excel write them."""

import csv
import io
from dataclasses import dataclass


class CsvError(ValueError):
    pass


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM, else Windows-1252 (what Excel writes on Dutch Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


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
    lines = text.splitlines()
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
