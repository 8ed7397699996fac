"""The crisis phrase list: what it must catch, ordinary recovery talk it must not, and
that the browser and the server read it alike, fast."""

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from re import _constants as sre_constants
from re import _parser as sre_parser

import pytest
from django.conf import settings

from safety import crisis
from safety.crisis import PHRASES_FILE, crisis_categories, looks_like_crisis, phrase_list

HERE = Path(__file__).parent
TUNING = HERE / "crisis_corpus_tuning.txt"
HELD_OUT = HERE / "crisis_corpus_heldout.txt"
CRISIS_PROMPT_JS = Path(settings.BASE_DIR) / "static" / "js" / "crisis-prompt.js"
# What an unlucky keystroke may cost in the browser, and a send on the server.
BROWSER_BUDGET_MS = 10
SERVER_BUDGET_MS = 50
LONGEST_POST = 20_000


def read_corpus(path: Path) -> tuple[list[str], list[str]]:
    fire, quiet = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, sentence = line[:2], line[2:]
        assert label in ("+ ", "- ") and sentence.strip(), f"{path.name}:{number}: {line!r}"
        (fire if label == "+ " else quiet).append(sentence)
    return fire, quiet


CORPUS = {name: read_corpus(path) for name, path in (("tuning", TUNING), ("held-out", HELD_OUT))}
ALL_FIRE = [sentence for fire, _quiet in CORPUS.values() for sentence in fire]
ALL_QUIET = [sentence for _fire, quiet in CORPUS.values() for sentence in quiet]

CATCHES = [
    ("I want to die", "suicide"),
    ("i wanna die tonight", "suicide"),
    ("I don’t want to live anymore", "suicide"),  # a phone's curly apostrophe
    ("I **want** to\n\ndie", "suicide"),  # Markdown and line breaks between the words
    ("I want to d\u200bie", "suicide"),  # an invisible character inside a word
    ("nobody would miss me", "suicide"),
    ("kms", "suicide"),
    ("I cut myself again last night", "self-harm"),
    ("started cutting again", "self-harm"),
    ("I took all my pills", "overdose"),
    ("he's not breathing", "overdose"),
    ("his lips are turning blue", "overdose"),
    ("SHE SAID I WANT TO DIE", "suicide"),
]


def long_bodies() -> dict[str, str]:
    """20,000 characters of ordinary talk, and of the words patterns start on."""
    talk, number = "", 0
    while len(talk) < LONGEST_POST:
        talk += ALL_QUIET[(number * 7919) % len(ALL_QUIET)] + ". "
        number += 1
    units = ["i ", "i'm ", "i'm so ", "my friend ", "he ", "too much ", "can't ", "wish i ",
             "nobody would ", "don't want to ", "a", " ", "’", "self ", "want to "]  # fmt: skip
    bodies = {"ordinary talk": talk}
    bodies.update({f"{unit!r} repeated": unit * (LONGEST_POST // len(unit) + 1) for unit in units})
    return {name: body[:LONGEST_POST] for name, body in bodies.items()}


# --- the labelled corpus ------------------------------------------------------------


def test_the_corpus_is_big_enough_and_keeps_a_held_out_part():
    assert len(ALL_FIRE) >= 150 and len(ALL_QUIET) >= 150
    held_fire, held_quiet = CORPUS["held-out"]
    assert len(held_fire) >= 40 and len(held_quiet) >= 40
    everything = ALL_FIRE + ALL_QUIET
    assert len(set(everything)) == len(everything), "a sentence is in the corpus twice"


def test_every_must_fire_sentence_fires_and_false_alarms_stay_under_five_percent(capsys):
    report, misses, alarms = [], [], []
    for name, (fire, quiet) in CORPUS.items():
        missed = [sentence for sentence in fire if not looks_like_crisis(sentence)]
        alarmed = [sentence for sentence in quiet if looks_like_crisis(sentence)]
        report.append(
            f"{name}: recall {len(fire) - len(missed)}/{len(fire)} "
            f"({100 * (len(fire) - len(missed)) / len(fire):.1f}%), false alarms "
            f"{len(alarmed)}/{len(quiet)} ({100 * len(alarmed) / len(quiet):.1f}%)"
        )
        misses += missed
        alarms += alarmed
    with capsys.disabled():
        sys.stdout.write("\ncrisis corpus: " + "; ".join(report) + "\n")
    assert misses == [], "missed"
    assert len(alarms) / len(ALL_QUIET) < 0.05, alarms


@pytest.mark.parametrize(("text", "category"), CATCHES)
def test_crisis_language_is_caught_in_its_category(text, category):
    assert category in crisis_categories(text)


def test_looks_like_crisis_and_the_categories_agree():
    for sentence in ALL_FIRE + ALL_QUIET:
        assert looks_like_crisis(sentence) == bool(crisis_categories(sentence)), sentence


# --- one list, read alike by the browser and the server -----------------------------


def run_browser_matcher(texts: list[str], *, time_bodies: bool = False) -> dict:
    """The real crisis-prompt.js under node, given the very data the page carries."""
    node = shutil.which("node")
    assert node, "node is needed to run the browser's matcher"
    script = """
const { crisisMatcher } = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const matches = crisisMatcher(input.data);
const verdicts = input.texts.map(matches);
const timings = input.timeBodies ? input.texts.map((text) => {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    matches(text);
    const spent = process.cpuUsage(start);
    best = Math.min(best, (spent.user + spent.system) / 1000);
  }
  return best;
}) : [];
process.stdout.write(JSON.stringify({ verdicts, timings }));
"""
    payload = {"data": crisis.browser_data(), "texts": texts, "timeBodies": time_bodies}
    result = subprocess.run(
        [node, "-e", script, str(CRISIS_PROMPT_JS)],
        input=json.dumps(payload), capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def test_the_browser_matcher_gives_the_same_verdict_as_the_server_on_every_sentence():
    # Letters whose case maps onto ASCII, odd spaces, and characters outside 16 bits.
    tricky = [
        "I WANT TO DİE",
        "ﬁnally I want to die",
        "i want to die\u2028now",
        "kms\u00a0now",
        "I want to kill my\u017fel\u017f",
        "\u212aMS",
        "I’m going to end it",
        "😢 kms 😢",
    ]
    texts = ALL_FIRE + ALL_QUIET + [text for text, _category in CATCHES] + tricky
    browser = run_browser_matcher(texts)["verdicts"]
    server = [looks_like_crisis(text) for text in texts]
    disagreements = [
        text for text, ours, theirs in zip(texts, server, browser, strict=True) if ours != theirs
    ]
    assert disagreements == []
    assert sum(browser) >= len(ALL_FIRE)  # it really matched, it did not just say no


def test_the_fast_server_path_gives_the_same_answer_as_searching_every_pattern():
    texts = ALL_FIRE + ALL_QUIET + list(long_bodies().values())
    texts += [f"{quiet} {fire}" for quiet, fire in zip(ALL_QUIET, reversed(ALL_FIRE), strict=False)]
    for text in texts:
        normalised = crisis.normalise(text)
        compiled = crisis._compiled()
        plain = {n for n, (_c, pattern) in enumerate(compiled) if pattern.search(normalised)}
        assert crisis._matching(normalised, first_only=False) == plain, text[:80]


def walk(items, inside_repeat=False):
    """Every parsed node, with whether it sits inside a quantifier that repeats."""
    for op, av in items:
        yield op, av, inside_repeat
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            yield from walk(av[2], inside_repeat or av[1] > 1)
        elif op is sre_constants.SUBPATTERN:
            yield from walk(av[3], inside_repeat)
        elif op is sre_constants.BRANCH:
            for alternative in av[1]:
                yield from walk(alternative, inside_repeat)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            yield from walk(av[1], inside_repeat)


def test_every_pattern_reads_the_same_in_javascript_and_cannot_backtrack_badly():
    """The browser compiles these with `new RegExp(pattern)`: no Python-only syntax, no
    classes whose meaning differs (".", "\\s"), and no quantifier inside a repeated
    group, which is how a pattern takes exponential time."""
    python_only = re.compile(r"\(\?P|\(\?[aiLmsux]+[):]|\\A|\\Z|\(\?#|\(\?<[=!]")
    sources = [entry["pattern"] for entry in phrase_list()]
    sources += [step["find"] for step in crisis.normalise_steps()]
    for source in sources:
        assert not python_only.search(source), source
        # The text is lowercased first, so an upper-case letter could never match.
        assert not re.search(r"(?<!\\)[A-Z]", source), source
        for op, av, inside_repeat in walk(sre_parser.parse(source, re.ASCII)):
            assert op is not sre_constants.ANY, f"'.' in {source}"
            assert op is not sre_constants.GROUPREF, source
            if op is sre_constants.IN:
                assert (sre_constants.CATEGORY, sre_constants.CATEGORY_SPACE) not in av, source
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                assert not (inside_repeat and av[1] > 1), f"nested quantifier in {source}"
    for entry in phrase_list():
        assert entry["pattern"].startswith("\\b"), entry["pattern"]  # the fast path needs it
    for step in crisis.normalise_steps():
        assert "$" not in step["replace"] and "\\" not in step["replace"], step


def test_the_list_is_plain_json_that_explains_itself():
    data = json.loads(PHRASES_FILE.read_text(encoding="utf-8"))
    assert "about" in data and data["sources"]
    assert {entry["category"] for entry in data["patterns"]} == {
        "suicide", "self-harm", "overdose",
    }  # fmt: skip
    for entry in phrase_list():
        assert not crisis.PART_REFERENCE.search(entry["pattern"]), entry["pattern"]


# --- cheap enough for every keystroke and every message ------------------------------


def best_cpu_ms(function, rounds: int = 5) -> float:
    best = float("inf")
    for _round in range(rounds):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best * 1000


def test_a_20000_character_post_is_matched_in_milliseconds_in_the_browser_and_on_the_server(
    capsys,
):
    bodies = long_bodies()
    looks_like_crisis("warm up")
    server = {
        name: best_cpu_ms(lambda body=body: crisis_categories(body))
        for name, body in bodies.items()
    }
    timings = run_browser_matcher(list(bodies.values()), time_bodies=True)["timings"]
    browser = dict(zip(bodies, timings, strict=True))
    with capsys.disabled():
        sys.stdout.write("\ncrisis matching of 20,000 characters (CPU ms, best of 5):\n")
        for name in bodies:
            sys.stdout.write(
                f"  {name:28} server {server[name]:6.2f}  browser {browser[name]:6.2f}\n"
            )
    assert max(browser.values()) < BROWSER_BUDGET_MS, browser
    assert max(server.values()) < SERVER_BUDGET_MS, server
