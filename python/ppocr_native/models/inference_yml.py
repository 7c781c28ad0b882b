"""A tiny, deliberately limited reader for PaddleX ``inference.yml`` files (no PyYAML)."""

from __future__ import annotations

import re

# Only what PaddleX's PyYAML dump of inference.yml needs: a top-level mapping
# key, a nested key below it, and either a scalar or a block list of scalars
# (plain, 'single-quoted' or "double-quoted").  Flow lists, anchors, and
# multi-line scalars are not supported; the helpers return None for them.

_DQ_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
    "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_DQ_HEX = {"x": 2, "u": 4, "U": 8}
# YAML's only white space.  str.strip() would also eat entries such as
# U+3000 (ideographic space), which is a real dictionary character.
_YAML_SPACE = " \t"


def _yaml_lines(text: str) -> list[str]:
    # Split on \n only (str.splitlines also splits on U+2028, U+0085, ...);
    # tolerate CRLF files, which some shipped inference.yml files are.
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def parse_yml_character_dict(text: str) -> list[str] | None:
    """``PostProcess: character_dict:`` of a PaddleX ``inference.yml``, raw.

    Returns None when the key is absent or not a block list.
    """
    lines = _yaml_lines(text)
    found = _find_nested_key(lines, "PostProcess", "character_dict")
    if found is None:
        return None
    index, indent, inline = found
    if inline:
        return [] if inline == "[]" else None
    items: list[str] = []
    for line in lines[index + 1:]:
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if len(line) - len(stripped) < indent or not (stripped == "-" or stripped.startswith("- ")):
            break  # PyYAML writes list items at the key's indent or deeper
        items.append(_yaml_scalar_value(stripped[1:].strip(_YAML_SPACE)))
    return items


def _yaml_scalar(text: str, section: str, key: str) -> str | None:
    """Scalar value of ``section: key:`` (e.g. ``Global: model_name:``)."""
    found = _find_nested_key(_yaml_lines(text), section, key)
    if found is None or not found[2]:
        return None
    try:
        return _yaml_scalar_value(found[2])
    except ValueError:
        return None


def _find_nested_key(lines: list[str], section: str, key: str) -> tuple[int, int, str] | None:
    """Locate ``key:`` directly inside top-level ``section:``.

    Returns (line index, key indent, text after the colon, stripped).
    """
    in_section = False
    child_indent = None
    for i, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if indent == 0:
            if in_section:
                return None
            in_section = re.match(rf"{re.escape(section)}:\s*(#.*)?$", line) is not None
            continue
        if not in_section:
            continue
        if child_indent is None:
            child_indent = indent
        if indent == child_indent and stripped.startswith(f"{key}:"):
            rest = stripped[len(key) + 1:]
            if rest and rest[0] not in _YAML_SPACE:
                continue  # e.g. "key:x" is a different plain scalar, not our key
            return i, indent, _strip_comment(rest.strip(_YAML_SPACE))
    return None


def _strip_comment(value: str) -> str:
    if value.startswith(("'", '"')):
        return value
    return re.split(r"[ \t]#", value, maxsplit=1)[0].rstrip(_YAML_SPACE)


def _yaml_scalar_value(raw: str) -> str:
    if raw.startswith("'"):
        return _single_quoted(raw)
    if raw.startswith('"'):
        return _double_quoted(raw)
    return _strip_comment(raw)


def _single_quoted(raw: str) -> str:
    out, i = [], 1
    while i < len(raw):
        ch = raw[i]
        if ch == "'":
            if raw[i + 1:i + 2] == "'":  # '' is an escaped quote
                out.append("'")
                i += 2
                continue
            return "".join(out)
        out.append(ch)
        i += 1
    raise ValueError(f"unterminated single-quoted YAML scalar: {raw!r}")


def _double_quoted(raw: str) -> str:
    out, i = [], 1
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            return "".join(out)
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = raw[i + 1:i + 2]
        if esc in _DQ_HEX:
            n = _DQ_HEX[esc]
            out.append(chr(int(raw[i + 2:i + 2 + n], 16)))
            i += 2 + n
        elif esc in _DQ_ESCAPES:
            out.append(_DQ_ESCAPES[esc])
            i += 2
        else:
            raise ValueError(f"unsupported YAML escape \\{esc} in {raw!r}")
    raise ValueError(f"unterminated double-quoted YAML scalar: {raw!r}")
