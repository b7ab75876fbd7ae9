"""Property-based: random and mutated YAML never crashes the script loader; every problem it reports
names file:line:column. The example count comes from the Hypothesis profile in conftest.py."""

import os
import re
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice.exercises.library import Library, bundled_scripts_dir
from voice.exercises.resolver import MAX_STEPS
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


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.integers(-10**30, 10**30),
                         st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30))
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
            number = draw(st.one_of(st.integers(-5, 100).map(str), st.sampled_from(
                [".nan", ".inf", "-.inf", "1e309", "99999999999999999999", "0x7fffffffffffffff", "-0.0"])))
            lines[at] = re.sub(r"\d+(\.\d+)?", number, lines[at], count=1)
        elif kind == "indent":
            lines[at] = " " * draw(st.integers(0, 6)) + lines[at].lstrip()
        elif kind == "garble":
            pos = draw(st.integers(0, max(0, len(lines[at]))))
            lines[at] = lines[at][:pos] + draw(st.sampled_from([":", "-", "[", "{", "}", "'", '"', "#", "&a", "*a"])) + lines[at][pos:]
        else:
            lines.insert(at, " " * draw(st.sampled_from([0, 2, 4, 6])) + draw(st.sampled_from(
                ["sya: hi", "cycles: 99", "hold_in: 30", "include: nowhere", "who: all", "deck: none", "pattern: 4-7-8",
                 "silence: .nan", "pause: .inf", "avoid_recent: 99999999999999999999", "say: \"x\\x01y\""])))
    return "\n".join(lines) + "\n"


@FUZZ
@given(mutated())
def test_mutated_shipped_scripts(tmp_path_factory, text):
    load(tmp_path_factory.mktemp("f"), text)


def run_accepted(library: Library, frames: int = 3000) -> None:
    """Every script the loader accepted starts and runs a minute of frames in the engine without an error."""
    from conftest import ToneVoice

    from voice.engine import Engine
    from voice.listen.intents import IntentMatcher
    from voice.listen.listener import Listener
    from voice.speak.cache import PromptCache

    locale = Locale.load("en")
    for script in library.scripts.values():
        if not script.path.name.startswith("fuzz"):
            continue
        engine = Engine(locale, library, PromptCache(ToneVoice(), library.folders[-1] / "cache"),
                        Listener(IntentMatcher(locale.intents)), ("Alex", "Sam"), seed=1)
        engine.start(script)
        for _ in range(frames):
            engine.feed(np.zeros(320, np.int16))
        engine.close()


@pytest.mark.slow
@settings(FUZZ, max_examples=min(FUZZ.max_examples, 300))
@given(mutated())
def test_a_script_the_loader_accepts_runs(tmp_path_factory, text):
    """NaN, infinity and 20-digit numbers once passed validation and crashed the speaker at the step."""
    run_accepted(load(tmp_path_factory.mktemp("f"), text))


@st.composite
def include_graphs(draw) -> str:
    """Sections that include each other: chains, diamonds that double at each level, cycles, missing names."""
    count = draw(st.integers(1, 24))
    lines = ["id: fuzz", "title: Fuzz", "locale: en", "sections:"]
    for n in range(count):
        lines += [f"  s{n}:", "    - say: Hello."]
        for _ in range(draw(st.integers(0, 3))):
            target = draw(st.one_of(st.integers(0, count - 1).map(lambda t: f"s{t}"), st.just("missing")))
            lines.append(f"    - include: {target}")
    lines += ["steps:", f"  - include: s{count - 1}"]
    return "\n".join(lines) + "\n"


@settings(FUZZ, max_examples=max(50, FUZZ.max_examples // 3))  # each example resolves up to 24 sections
@given(include_graphs())
def test_include_graphs_are_resolved_or_refused_fast(tmp_path_factory, text):
    started = time.perf_counter()
    library = load(tmp_path_factory.mktemp("f"), text)
    assert time.perf_counter() - started < 2.0  # 24 sections doubling would be 16 million steps
    for script in library.scripts.values():
        assert len(script.steps) <= MAX_STEPS + 1


@FUZZ
@given(st.sampled_from(["fifo", "device", "folder", "dangling", "loop", "empty", "binary"]))
def test_a_script_path_that_is_not_a_script_file(tmp_path_factory, kind):
    folder = tmp_path_factory.mktemp("f") / "en"
    folder.mkdir()
    path = folder / "fuzz.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(folder / "nowhere.yaml")
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(bytes(range(256)) * 4)
    library = Library([folder.parent], "en", INTENTS)  # neither hangs nor raises
    assert not library.scripts or kind == "empty"
    for message in library.problems.get(path, None).errors if path in library.problems else []:
        assert LOCATED.search(message), message
