"""Safe YAML loading that remembers where each mapping and key came from, for file:line:column errors.

Only regular files are read (a link to a device or a FIFO is refused, never read or waited on), and
what YAML itself lets through is refused too: a key given twice (YAML keeps the last, silently) and
control characters written as escapes ("\x01" would reach espeak-ng as an embedded command).
"""

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from .errors import ScriptError


class Mapping(dict):
    """A YAML mapping that knows its own position and the position of each key."""

    where: str = "?"
    key_where: dict[str, str]


MAX_BYTES = 1_000_000  # scripts, decks, locales and configs are a few kB; anything this big is a mistake
MAX_NODES = 100_000  # values once aliases are expanded: "billion laughs" is a few lines that expand to billions


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # everything below space but tab and newline


class _LineLoader(yaml.CSafeLoader):
    """libyaml's parser (6x faster than PyYAML's own: 64 files in 20 ms, not 117), our constructors."""

    path = "?"

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Mapping:
        seen: set = set()
        for key, _ in node.value:
            value = key.value if isinstance(key, yaml.ScalarNode) else id(key)
            if value in seen:
                raise yaml.constructor.ConstructorError(None, None, f"'{value}' is given twice here; keep one",
                                                        key.start_mark)
            seen.add(value)
        mapping = Mapping(super().construct_mapping(node, deep=True))
        mapping.where = _where(self.path, node.start_mark)
        mapping.key_where = {
            str(key.value): _where(self.path, key.start_mark) for key, _ in node.value
        }
        return mapping


    def construct_yaml_str(self, node: yaml.ScalarNode) -> str:
        text = super().construct_yaml_str(node)
        control = _CONTROL.search(text)
        if control:
            raise yaml.constructor.ConstructorError(
                None, None, f"the control character {control.group()!r} is not allowed in text; delete it",
                node.start_mark)
        return text


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _LineLoader.construct_yaml_str)


def _where(path: str, mark: yaml.Mark) -> str:
    return f"{path}:{mark.line + 1}:{mark.column + 1}"


def load_yaml(path: Path) -> Any:
    """Load one YAML file; a syntax error becomes a ScriptError naming file:line:column."""
    text = read_text(path)
    unprintable = yaml.reader.Reader.NON_PRINTABLE.search(text)  # what YAML refuses, found here to say where
    if unprintable:
        position = unprintable.start()
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        raise ScriptError(f"{path}:{line}:{column}: the character {unprintable.group()!r} is not allowed in "
                          "YAML; delete it")
    loader = _LineLoader(text)
    loader.path = str(path)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_NODES:
            raise ScriptError(f"{_where(str(path), node.start_mark)}: its YAML aliases (*name) expand to more than "
                              f"{MAX_NODES:,} values; write the values out instead")
        return loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = _where(str(path), mark) if mark else f"{path}:1:1"
        problem = error.problem or error.context or "invalid YAML"
        if isinstance(error, yaml.constructor.ConstructorError) and problem.endswith(("keep one", "delete it")):
            raise ScriptError(f"{where}: {problem}") from None  # ours: already plain words
        raise ScriptError(f"{where}: {_plain(error, text)} (YAML says: {problem})") from None
    except (yaml.YAMLError, RecursionError) as error:
        raise ScriptError(f"{path}:1:1: invalid YAML ({type(error).__name__}); fix the file") from None
    finally:
        loader.dispose()


_TAB = "a tab is used for indentation here; use spaces"


def _line_at(text: str, line: int) -> str:
    lines = text.split("\n")
    return lines[line] if line < len(lines) else ""


def _character_at(text: str, line: int, column: int) -> str:
    return _line_at(text, line)[column:column + 1]


# libyaml's words for the usual slips, and what they mean to someone editing a script by hand.
_PLAIN = (
    (("did not find expected key", "did not find expected '-' indicator"),
     ("the indentation here does not line up with the lines above; indent with spaces so that each "
      "step starts with '- ' at the same column as the others")),
    (("found a tab character",), _TAB),
    (("mapping values are not allowed",), "a colon inside a value; put the whole text in quotes"),
    (("could not find expected ':'",), "a key is missing its colon, or a quote is not closed"),
    (("found unexpected end of stream", "while scanning a quoted scalar"), "a quote is opened and never closed"),
    (("expected ',' or ']'", "expected ',' or '}'"), "a bracket is opened and never closed"),
)


# A value that begins with a bracket: YAML reads "[...]" as a list and "{...}" as a mapping.
_OPENS_WITH_BRACKET = re.compile(r"^\s*(?:-\s+)*(?:[^\s\[{\"'#-][^:#]*:\s+)?([\[{])")


def _text_after_brackets(text: str, mark: yaml.Mark) -> bool:
    """Whether the line goes on after a bracket that began its value and closed before `mark`: a
    phrase such as "- [please] we need help", meant as text, not as a list and then more."""
    line = _line_at(text, mark.line)
    opened = _OPENS_WITH_BRACKET.match(line)
    closing = {"[": "]", "{": "}"}
    return bool(opened) and closing[opened.group(1)] in line[opened.end():mark.column]


def _plain(error: yaml.MarkedYAMLError, text: str) -> str:
    mark = error.problem_mark
    if mark and _character_at(text, mark.line, mark.column) == "\t":  # libyaml does not name the tab
        return _TAB
    if mark and _text_after_brackets(text, mark):
        return "text that begins with a bracket is not read as text; put the whole text in quotes"
    said = f"{error.context or ''} {error.problem or ''}"
    for fragments, plain in _PLAIN:
        if any(fragment in said for fragment in fragments):
            return plain
    return "this is not valid YAML; check the indentation, colons and quotes here"


def read_text(path: Path) -> str:
    """A regular file's UTF-8 text, at most MAX_BYTES; anything else is a ScriptError saying why."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens at once instead of waiting
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            raise ScriptError(f"{path}:1:1: is not a regular file (a device, a pipe or a folder); "
                              "point to the script's .yaml file itself")
        with os.fdopen(descriptor, "rb") as file:
            data = file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise ScriptError(f"{path}:1:1: the file is over {MAX_BYTES / 1e6:.0f} MB, far too big for a script or "
                              "settings file; check it is the right file")
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScriptError(f"{path}:1:1: cannot be read ({error}); check the file exists and is UTF-8 text") from None


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values the document holds with every alias expanded; shared nodes are counted once each."""
    if id(node) not in sizes:
        sizes[id(node)] = 0  # a node that contains itself counts once (PyYAML allows such recursion)
        children = [item for pair in node.value for item in pair] if isinstance(node, yaml.MappingNode) else (
            node.value if isinstance(node, yaml.SequenceNode) else [])
        sizes[id(node)] = min(1 + sum(_expanded_size(child, sizes) for child in children), MAX_NODES + 1)
    return sizes[id(node)]


def where(value: Any, key: str | None = None) -> str:
    """The file:line:column of a loaded mapping, or of one of its keys."""
    if isinstance(value, Mapping):
        return value.key_where.get(key, value.where) if key else value.where
    return "?"
