"""Text from a scenario, a price table or a provider, made safe for where it is shown.

A scenario name, a file path, a model id, a table's notes or a provider's error message is shown as
written and can create nothing: no terminal escape sequence, no Markdown heading, table cell, link,
HTML or code, no SVG or Mermaid markup, and no second shell command. One function per destination:

- `visible` (one line) and `terminal` (a block): control characters (C0, DEL, C1) and the Unicode
  characters that reorder or split text (bidi overrides and isolates, line separators) are written as
  escapes (`\\n`, `\\x1b`, `\\u202e`) instead of being sent to the terminal.
- `markdown` (inline text), `markdown_cell` (a table cell), `markdown_code` (a code span),
  `markdown_fence` (a fenced block), `markdown_link` (a link's target): for a proposal document.
- `html` (SVG text) and `mermaid` (a quoted Mermaid label).
- `shell_word` and `shell_command`: a suggested command built from its words, quoted for a POSIX
  shell (`shlex.quote`; a word with control characters in ANSI-C `$'...'` quoting, so that the line
  stays one line and runs the same words when pasted).

Rich markup needs no function here: the terminal console reads no markup (render/console.py).
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls; the Arabic letter mark, left-to-right and right-to-left marks,
# line and paragraph separators, bidi embeddings and overrides, bidi isolates
# (patterns as text: `re` compiles each on first use and keeps it, so importing this module costs nothing)
_CONTROLS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
CONTROL = "[" + _CONTROLS + "]"
_BLOCK_CONTROL = "[" + _CONTROLS.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f") + "]"  # \t and \n kept
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """One line: every control character written as an escape (`a\\nb` for a newline)."""
    return re.sub(CONTROL, _escape, str(text))


def terminal(text: str) -> str:
    """A block of terminal output: its lines and tabs kept, every other control character an escape."""
    return re.sub(_BLOCK_CONTROL, _escape, str(text))


_MD_PUNCTUATION = (
    r"[\\`*|#~]"  # escapes, code, emphasis, table cells, headings, strikethrough
    r"|\[(?!\](?!\())"  # links and images (`[]` alone is kept: it links nothing)
    r"|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])"  # emphasis (an underscore inside a word emphasises nothing)
)
_MD_ENTITY = r"&(?=#?[0-9A-Za-z]+;)"  # `&amp;` would show as `&`: only an entity's `&` is escaped
_MD_LIST = r"^([-+](?= |$)|-(?= *- *-[ -]*$)|[0-9]{1,9}(?=[.)](?: |$)))"  # a list item or a rule


def markdown(text: str) -> str:
    """Inline Markdown showing `text` as written: on one line, no HTML, no heading, list, table cell,
    link, image, code or emphasis of its own. Safe in a paragraph, a list item, a heading, a table cell."""
    text = markdown_cell(text)
    text = re.sub(_MD_LIST, lambda m: m.group() + "\\" if m.group()[0].isdigit() else "\\" + m.group(), text)
    return re.sub(r"^\s+", lambda m: "".join(f"&#{ord(char)};" for char in m.group()), text)


def markdown_cell(text: str) -> str:
    """`markdown` for a table cell, whose text can start no block of its own (a lone `-` stays `-`)."""
    text = re.sub(_MD_ENTITY, "&amp;", visible(text)).replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(_MD_PUNCTUATION, lambda m: "\\" + m.group(), text)


def markdown_code(text: str) -> str:
    """`text` as a Markdown code span, on one line, whatever backticks it holds."""
    text = visible(text)
    ticks = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def markdown_link(target: str) -> str:
    """A relative link target (a chart file's name) for `![...](...)`, percent-encoded."""
    from urllib.parse import quote

    return quote(str(target), safe="/")


def markdown_fence(lines: list[str], info: str = "") -> list[str]:
    """A fenced code block of `lines` (each kept on one line), fenced longer than any backtick run in it."""
    shown = [visible(line) for line in lines]
    longest = max((len(run) for line in shown for run in re.findall("`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *shown, fence]


def html(text: str) -> str:
    """Text for an HTML or SVG element or attribute: escaped, on one line (XML allows no controls)."""
    from html import escape

    return escape(visible(text), quote=True)


_MERMAID = {"#": "#35;", '"': "#34;", "<": "#60;", ">": "#62;", "`": "#96;", "%": "#37;"}


def mermaid(text: str) -> str:
    """Text for a quoted Mermaid label (`title "..."`): Mermaid's entity codes for what would end the
    quote, start markup or a directive."""
    return "".join(_MERMAID.get(char, char) for char in visible(text))


def _ansi_c(word: str) -> str:
    """`word` in ANSI-C quotes (bash, zsh, ksh, POSIX.1-2024 sh): each control character as the bytes
    of its UTF-8 encoding."""
    out = []
    for char in word:
        if char in "\\'":
            out.append("\\" + char)
        elif re.fullmatch(CONTROL, char):
            out.append("".join(f"\\x{byte:02x}" for byte in char.encode()))
        else:
            out.append(char)
    return "$'" + "".join(out) + "'"


def shell_word(word: object) -> str:
    """One word of a command, quoted so that the shell passes it on unchanged and runs nothing in it."""
    text = str(word)
    if re.search(CONTROL, text):
        return _ansi_c(text)
    from shlex import quote

    return quote(text)


def shell_command(*words: object, comment: str | None = None) -> str:
    """A command line from its words (argv), each quoted; `comment` follows as a shell comment, so the
    line still runs as pasted."""
    line = " ".join(shell_word(word) for word in words)
    return f"{line}  # {visible(comment)}" if comment else line
