"""Property-based: random and mutated YAML never crashes the script loader; every problem it reports
names file:line:column. The example count comes from the Hypothesis profile in conftest.py."""

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from voice.exercises.library import Library, bundled_scripts_dir
from voice.locale import Locale

INTENTS = Locale.load("en").intents
SHIPPED = [p.read_text(encoding="utf-8") for p in sorted((bundled_scripts_dir() / "en").glob("*.yaml"))]
LOCATED = re.compile(r"\.yaml:\d+:\d+: ")
FUZZ = settings()  # examples: the profile (tests/conftest.py): 300, 2,000 in CI, 20,000 in make fuzz


def load(folder: Path, text: str) -> Library:
    (folder / "en").mkdir(parents=True, exist_ok=True)
    path = folder / "en" / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    library = Library([folder], "en", INTENTS)  # must never raise
    for message in library.problems.get(path, None).errors if path in library.problems else []:
        assert LOCATED.search(message), message
    return library


@FUZZ
@given(st.text(max_size=400))
def test_random_text(tmp_path_factory, text):
    load(tmp_path_factory.mktemp("f"), text)


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True),
                         st.text(max_size=30))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["say", "pause", "breathe", "turn", "prompts", "choose", "include", "timer",
                                     "wait", "cycles", "minutes", "inhale", "exhale", "hold_in", "prompt", "who",
                                     "options", "ask", "steps", "phrases", "deck", "text", "id", "x"]),
                    inner, max_size=4)), max_leaves=12)


@FUZZ
@given(st.dictionaries(st.sampled_from(["id", "title", "locale", "steps", "sections", "start_intents",
                                        "minutes", "summary", "other"]), yaml_values, max_size=7))
def test_random_structures(tmp_path_factory, data):
    import yaml

    load(tmp_path_factory.mktemp("f"), yaml.safe_dump(data, allow_unicode=True))


@st.composite
def mutated(draw) -> str:
    lines = draw(st.sampled_from(SHIPPED)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "number", "indent", "garble", "key"]))
        if kind == "delete":
            del lines[at]
        elif kind == "duplicate":
            lines.insert(at, lines[at])
        elif kind == "number":
            lines[at] = re.sub(r"\d+", str(draw(st.integers(-5, 100))), lines[at])
        elif kind == "indent":
            lines[at] = " " * draw(st.integers(0, 6)) + lines[at].lstrip()
        elif kind == "garble":
            pos = draw(st.integers(0, max(0, len(lines[at]))))
            lines[at] = lines[at][:pos] + draw(st.sampled_from([":", "-", "[", "{", "}", "'", '"', "#", "&a", "*a"])) + lines[at][pos:]
        else:
            lines.insert(at, " " * draw(st.sampled_from([0, 2, 4, 6])) + draw(st.sampled_from(
                ["sya: hi", "cycles: 99", "hold_in: 30", "include: nowhere", "who: all", "deck: none", "pattern: 4-7-8"])))
    return "\n".join(lines) + "\n"


@FUZZ
@given(mutated())
def test_mutated_shipped_scripts(tmp_path_factory, text):
    load(tmp_path_factory.mktemp("f"), text)
