"""What the speaker can say, as text: every fixed line with names filled in (for the prompt cache),
and "what can I say" for the moment."""

from ..listen.intents import expand
from ..locale import Locale
from ..policy import BREAK_INTENTS
from .library import PROTECTED_INTENTS, Library
from ..particles import fill
from .session import Session
from .steps import Choose, Timer

COMPOSED = {"help_choice", "safety", "safety_stopped", "safety_again", "menu_talk", "menu_calm", "menu_item",
            "menu_close"}  # said only as parts of other lines
CALMING = BREAK_INTENTS | {"breathing"}  # the menu's second group


def safety_line(locale: Locale, stopped: bool) -> str:
    """The safety response: the resources (emergency first), "stopped" only if an exercise was
    running (it may have been heard by mistake), then how to hear it again."""
    lines = locale.lines
    parts = [lines["safety"], lines["safety_stopped"] if stopped else "", lines["safety_again"]]
    return " ".join(part.strip() for part in parts if part.strip())


def held_lines(locale: Locale) -> list[str]:
    """The lines that must play whatever else fails (a full disk, a crashed voice): the safety
    response in both forms and the answers to "stop" and "pause"."""
    lines = locale.lines
    return [safety_line(locale, stopped) for stopped in (False, True)] + [lines["stopped"], lines["paused"]]


def names(partners: tuple[str, str], first: str) -> dict[str, str]:
    a, b = partners
    return {"partner_a": a, "partner_b": b, "first": first, "second": b if first == a else a}


def every_line(library: Library, locale: Locale, partners: tuple[str, str]) -> list[str]:
    """Every fixed line the speaker can say, in either order of turns: what the prompt cache pre-renders."""
    a, b = partners
    texts = library.texts() + [text for key, text in locale.lines.items() if key not in COMPOSED]
    texts += [safety_line(locale, stopped) for stopped in (False, True)] + [menu_line(library, locale)]
    scripts = library.scripts.values()
    for script in scripts:
        texts += [choice_help(step, locale) for step in script.steps if isinstance(step, Choose)]
    variants = [{"title": script.title} for script in scripts]
    variants += [{"minutes": f"{step.more_minutes:g}"} for script in scripts for step in script.steps
                 if isinstance(step, Timer)]
    out: dict[str, None] = {}
    for text in texts:
        for first, second in ((a, b), (b, a)):
            filled = fill(text, names(partners, first) | {"speaker": first, "listener": second})
            for variant in variants if "{" in filled else [{}]:
                line = fill(filled, variant)
                if "{" not in line:
                    out[line] = None
    return list(out)


def help_line(running: Session | None, locale: Locale) -> str:
    """"What can I say": the commands that mean something right now."""
    lines = locale.lines
    if running is None:
        return lines["help_idle"]
    if running.paused:
        return lines["help_paused"]
    step = running.script.steps[running.index]
    if isinstance(step, Choose):
        return choice_help(step, locale)
    if isinstance(step, Timer):
        return lines["help_timer"]
    return lines["help_session"]  # not in a turn: the couple is talking, "help" is not listened for


def choice_help(step: Choose, locale: Locale) -> str:
    said = [min(expand(option.phrases[0]), key=len) for option in step.options]
    options = ", ".join(said[:-1]) + f", {locale.lines['or']} " + said[-1]
    return locale.lines["help_choice"].replace("{options}", options)


def menu_line(library: Library, locale: Locale) -> str:
    """"What can we do": every exercise that can be started by voice, with the words that start it,
    in two groups (talking together, calming down); the speaker's own introduction and safety
    information are left to the help line."""
    templates = {**locale.intents, **library.starts}
    groups: dict[str, list[str]] = {"menu_talk": [], "menu_calm": []}
    for script in library.scripts.values():
        intents = [intent for intent in script.start_intents
                   if intent in templates and intent not in PROTECTED_INTENTS and library.for_intent(intent) is script]
        if not intents:
            continue
        phrase = min((expand(template)[0] for template in templates[intents[0]]), key=len)
        item = fill(locale.lines["menu_item"], {"title": script.title, "phrase": phrase})
        groups["menu_calm" if set(intents) & CALMING else "menu_talk"].append(item)
    parts = [fill(locale.lines[group], {"items": ", ".join(items)}) for group, items in groups.items() if items]
    return " ".join(parts + [locale.lines["menu_close"]])
