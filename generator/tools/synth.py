"""Synth: a synthetic, valid and realistic data set of any size, for benchmarks and tests.

`write_corpus(directory, municipalities, evaluations_per, seed)` writes a data
folder like evaluations/: a byte copy of the real framework catalogue, a report
register, a municipality register and `municipalities × evaluations_per` full
evaluations spread over the three revisions, with every question scored,
Swedish texts of the length real reports have, good practices (a few with a
gold star), cited examples, comparisons and the odd discrepancy.

Everything comes from one `random.Random(seed)` and nothing else (no clock, no
set or hash order), so the same arguments always give the same bytes. The texts
are made from the phrase banks and sentence patterns of synth_phrases.yaml: they
read like the real reports but say nothing about any real municipality, and the
municipality names and codes are invented.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import UsageError
from generator.layout import FRAMEWORKS_DIR, MUNICIPALITIES_FILE, SOURCES_FILE, evaluation_file
from generator.loader import plain_data, read_plain
from generator.messages import msg
from generator.text import decimal_comma

CATALOGUE = (
    Path(__file__).resolve().parent / "portal_template" / "evaluations" / FRAMEWORKS_DIR
)  # shipped with the package
MARKER = ".synth"  # records the arguments; lets synth replace a folder it wrote before
OPEN_END = 2025  # the revision still in use gets evaluations up to this year
WIDTH = 78  # folded text is wrapped like the hand-written files


def write_corpus(directory: Path, municipalities: int, evaluations_per: int, seed: int) -> int:
    """Write a synthetic data folder into `directory`; returns the number of evaluations written."""
    directory = Path(directory)
    if municipalities < 1 or evaluations_per < 1:
        raise UsageError(msg("synth.at_least_one"))
    frameworks = _catalogue()
    counts = _revision_counts(frameworks, evaluations_per)
    _prepare(directory)
    _write(
        directory / MARKER,
        f"kommunkompassen synth --municipalities {municipalities} --evaluations-per {evaluations_per} --seed {seed}\n",
    )
    rng = random.Random(seed)
    phrases = _load_phrases()
    register = _register(rng, municipalities, phrases)
    evaluations: list[_Evaluation] = []
    slugs: set[str] = set()
    for municipality in register:
        own: list[_Evaluation] = []
        for ordinal, (framework, year) in enumerate(_years(rng, frameworks, counts, evaluations_per), start=1):
            own.append(
                _evaluation(rng, municipality, framework, year, ordinal, own, register, frameworks, slugs, phrases)
            )
        evaluations.extend(own)
        municipality.facts_year = own[-1].year
    _add_comparisons(rng, evaluations)

    (directory / FRAMEWORKS_DIR).mkdir(parents=True, exist_ok=True)
    for path in sorted(CATALOGUE.glob("*.yaml")):
        (directory / FRAMEWORKS_DIR / path.name).write_bytes(path.read_bytes())
    _write(directory / MUNICIPALITIES_FILE, _register_yaml(register, seed))
    _write(directory / SOURCES_FILE, _sources_yaml(evaluations, seed, phrases))
    for evaluation in evaluations:
        _write(
            directory / evaluation_file(evaluation.municipality.slug, evaluation.year),
            _evaluation_yaml(evaluation, phrases),
        )
    return len(evaluations)


def _prepare(directory: Path) -> None:
    """Start from an empty folder; a non-empty one is emptied only if synth wrote it."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(msg("synth.not_a_folder", directory=directory))
    if directory.is_dir() and any(directory.iterdir()):
        if not (directory / MARKER).is_file():
            raise UsageError(msg("synth.not_empty", directory=directory))
        for child in sorted(directory.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    directory.mkdir(parents=True, exist_ok=True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


# ---------------------------------------------------------------- catalogue and years


@dataclass(frozen=True)
class _Question:
    id: str
    max_points: float


@dataclass(frozen=True)
class _Area:
    number: int
    name: str
    max_points: float
    questions: tuple[_Question, ...]


@dataclass(frozen=True)
class _Framework:
    id: str
    label: str
    first_year: int
    last_year: int
    max_points: float
    areas: tuple[_Area, ...]

    @property
    def step(self) -> float:
        return 0.5 if self.first_year < 2019 else 1.0  # the older reports print half points


def _catalogue() -> list[_Framework]:
    frameworks = []
    for path in sorted(CATALOGUE.glob("*.yaml")):
        data = plain_data(path.read_text(encoding="utf-8"))
        areas = tuple(
            _Area(
                a["number"],
                a["name"],
                a["max_points"],
                tuple(_Question(str(q["id"]), q["max_points"]) for q in a["questions"]),
            )
            for a in data["areas"]
        )
        frameworks.append(
            _Framework(
                str(data["id"]),
                data["label"],
                data["first_year"],
                data.get("last_year") or OPEN_END,
                data["max_points"],
                areas,
            )
        )
    return sorted(frameworks, key=lambda f: (f.first_year, f.id))


def _revision_counts(frameworks: list[_Framework], per: int) -> list[int]:
    """Evaluations of each revision per municipality, oldest first (0 = chosen at random)."""
    if per < len(frameworks):
        return []
    counts = [per // len(frameworks) + (1 if i < per % len(frameworks) else 0) for i in range(len(frameworks))]
    # Revisions share their first and last years, so each can hold one year fewer than it spans.
    room = [f.last_year - f.first_year for f in frameworks]
    if any(c > r for c, r in zip(counts, room, strict=True)):
        most = max(
            k
            for k in range(1, sum(room) + 1)
            if all(k // len(room) + (1 if i < k % len(room) else 0) <= r for i, r in enumerate(room))
        )
        raise UsageError(msg("synth.too_many", per=per, most=most))
    return counts


def _years(
    rng: random.Random, frameworks: list[_Framework], counts: list[int], per: int
) -> list[tuple[_Framework, int]]:
    if not counts:  # fewer evaluations than revisions: the revisions are chosen per municipality
        chosen = rng.sample(range(len(frameworks)), per)
        counts = [1 if i in chosen else 0 for i in range(len(frameworks))]
    result: list[tuple[_Framework, int]] = []
    latest = 0
    for framework, count in zip(frameworks, counts, strict=True):
        if not count:
            continue
        free = list(range(max(framework.first_year, latest + 1), framework.last_year + 1))
        years = sorted(rng.sample(free, count))
        latest = years[-1]
        result.extend((framework, y) for y in years)
    return result


# ---------------------------------------------------------------- municipalities


@dataclass
class _Municipality:
    slug: str
    code: str
    name: str
    county: str
    country: str
    population: int
    group: str | None
    quality: float  # how well the municipality does, 0..1
    facts_year: int = 0


def _compound(first: str, second: str) -> str:
    return re.sub(r"(.)\1\1", r"\1\1", first + second)  # Vall + lunda = Vallunda


def _slugify(text: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae", "é": "e", "ü": "u"})
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")


def _register(rng: random.Random, count: int, phrases: _Phrases) -> list[_Municipality]:
    swedish = [_compound(p, s) for p in phrases.prefixes for s in phrases.suffixes]
    norwegian = [
        _compound(p, s) for p in phrases.prefixes for s in phrases.norwegian_suffixes if not set(p.lower()) & set("åäö")
    ]
    rng.shuffle(swedish)
    rng.shuffle(norwegian)
    names_se = iter(swedish + [f"{v} {n}" for v in phrases.variants for n in swedish])
    names_no = iter(norwegian + [f"{v} {n}" for v in phrases.norwegian_variants for n in norwegian])
    free_codes = {
        code: rng.sample(range(1, 100), 99) for code, *_ in phrases.swedish_counties + phrases.norwegian_counties
    }
    weights = [n for _, _, n in phrases.swedish_counties]
    used_slugs: set[str] = set()
    used_codes: set[str] = set()
    spare = iter(range(6000, 10000))  # once the counties' codes run out
    result: list[_Municipality] = []
    while len(result) < count:
        norway = rng.random() < 0.05
        if norway:
            county_code, county = phrases.norwegian_counties[rng.randrange(len(phrases.norwegian_counties))]
            name = next(names_no)
        else:
            county_code, county, _ = rng.choices(phrases.swedish_counties, weights)[0]
            name = next(names_se)
        slug = _slugify(name)
        if slug in used_slugs:
            continue
        code = f"{county_code}{free_codes[county_code].pop():02d}" if free_codes[county_code] else f"{next(spare):04d}"
        while code in used_codes:
            code = f"{next(spare):04d}"
        used_slugs.add(slug)
        used_codes.add(code)
        population = int(round(rng.lognormvariate(9.75, 0.9), -1))
        population = max(2500, min(population, 950_000))
        group = None if norway else phrases.groups[min(len(phrases.groups) - 1, max(0, 7 - int(population**0.5 / 55)))]
        quality = min(0.9, max(0.2, rng.gauss(0.55, 0.12)))
        result.append(_Municipality(slug, code, name, county, "NO" if norway else "SE", population, group, quality))
    return sorted(result, key=lambda mu: mu.slug)


# ---------------------------------------------------------------- phrase banks


PHRASES = Path(__file__).with_name("synth_phrases.yaml")


@dataclass(frozen=True)
class _Theme:
    topics: tuple[str, ...]  # definite noun phrases: "medborgardialogen"
    things: tuple[tuple[str, str], ...]  # indefinite noun phrases and gender (u, n, p)
    practices: tuple[str, ...]  # names of good practices
    goals: tuple[str, ...]  # infinitive phrases: "öka ..."


@dataclass(frozen=True)
class _Phrases:
    """The words and sentences of generator/tools/synth_phrases.yaml (what each is: see there)."""

    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    norwegian_suffixes: tuple[str, ...]
    variants: tuple[str, ...]
    norwegian_variants: tuple[str, ...]
    swedish_counties: tuple[tuple[str, str, int], ...]
    norwegian_counties: tuple[tuple[str, str], ...]
    groups: tuple[str, ...]
    themes: dict[str, _Theme]
    area_themes: dict[str, tuple[str, ...]]
    adjectives: tuple[tuple[str, str, str], ...]
    new: dict[str, str]
    article: dict[str, str]
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    places: tuple[str, ...]
    changes: tuple[str, ...]
    focus: tuple[str, ...]
    actions: tuple[str, ...]
    verbs: tuple[str, ...]
    further: tuple[str, ...]
    with_: tuple[str, ...]
    groups_involved: tuple[str, ...]
    kinds: tuple[str, ...]
    advice: tuple[str, ...]
    effects: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    sentences: dict[str, Any]  # sentence patterns with {placeholders}; practice_openings is a list


def _load_phrases(path: Path = PHRASES) -> _Phrases:
    data = read_plain(path)

    def rows(items: list) -> tuple:
        return tuple(tuple(item) for item in items)

    places, words = data["municipalities"], data["words"]
    themes = {
        name: _Theme(tuple(t["topics"]), rows(t["things"]), tuple(t["practices"]), tuple(t["goals"]))
        for name, t in data["themes"].items()
    }
    listed = (
        "positive",
        "negative",
        "places",
        "changes",
        "focus",
        "actions",
        "verbs",
        "further",
        "groups_involved",
        "kinds",
        "advice",
        "effects",
        "first_names",
        "last_names",
    )
    return _Phrases(
        prefixes=tuple(places["prefixes"]),
        suffixes=tuple(places["suffixes"]),
        norwegian_suffixes=tuple(places["norwegian_suffixes"]),
        variants=tuple(places["variants"]),
        norwegian_variants=tuple(places["norwegian_variants"]),
        swedish_counties=rows(places["swedish_counties"]),
        norwegian_counties=rows(places["norwegian_counties"]),
        groups=tuple(places["groups"]),
        themes=themes,
        area_themes={revision: tuple(names) for revision, names in data["area_themes"].items()},
        adjectives=rows(words["adjectives"]),
        new=dict(words["new"]),
        article=dict(words["article"]),
        with_=tuple(words["with"]),
        **{key: tuple(words[key]) for key in listed},
        sentences=dict(data["sentences"]),
    )


_GENDER = {"u": 0, "n": 1, "p": 2}  # which of an adjective's three forms goes with a noun


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _low(text: str) -> str:
    return text[:1].lower() + text[1:]


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


_num = decimal_comma


class _Writer:
    """Swedish sentences about one theme, leaning positive or negative with the score."""

    def __init__(self, rng: random.Random, theme: _Theme, share: float, name: str, p: _Phrases):
        self.rng, self.theme, self.share, self.name, self.p = rng, theme, share, name, p

    def judgement(self) -> str:
        return self.rng.choice(self.p.positive if self.rng.random() < self.share else self.p.negative)

    def topic(self) -> str:
        return self.rng.choice(self.theme.topics)

    def thing(self) -> tuple[str, str]:
        return self.rng.choice(self.theme.things)

    def sentence(self) -> str:
        # Keyword arguments are evaluated in order: the random draws come as they always came.
        r, p, say = self.rng, self.p, self.p.sentences
        kind = r.randrange(8)
        if kind == 0:
            first, second = r.sample(self.theme.topics, 2)
            opening = _cap(_join(first, r.choice(p.positive), r.choice(p.places)))
            return say["contrast"].format(opening=opening, second=second, negative=r.choice(p.negative))
        if kind == 1:
            noun, gender = self.thing()
            return say["introduced"].format(
                municipality=self.name,
                action=r.choice(p.actions),
                new=p.new[gender],
                thing=noun,
                topic=self.topic(),
                judgement=self.judgement(),
            )
        if kind == 2:
            return say["interviewees"].format(clause=_join(self.topic(), self.judgement(), r.choice(p.places)))
        if kind == 3:
            return say["since_last"].format(topic=self.topic(), change=r.choice(p.changes))
        if kind == 4:
            return say["to_develop"].format(topic=self.topic(), focus=r.choice(p.focus))
        if kind == 5:
            noun, gender = self.thing()
            adjective = _low(r.choice(p.adjectives)[_GENDER[gender]])
            clause = _join(say["there_is"], p.article[gender], adjective, noun, r.choice(p.places))
            return say["there_is_but"].format(clause=clause, topic=self.topic(), negative=r.choice(p.negative))
        if kind == 6:
            first, second = r.sample(self.theme.topics, 2)
            return say["two_topics"].format(
                first=_cap(first), judgement=self.judgement(), second=second, second_judgement=self.judgement()
            )
        return say["challenge"].format(clause=_join(self.topic(), r.choice(p.negative), r.choice(p.places)))

    def paragraph(self, low: int, high: int) -> str:
        target = self.rng.randint(low, high)
        sentences: list[str] = []
        while sum(len(s) + 1 for s in sentences) < target:
            sentence = self.sentence()
            if sentence not in sentences:
                sentences.append(sentence)
        return " ".join(sentences)

    def strength(self) -> str:
        r = self.rng
        noun, gender = self.thing()
        kind = r.randrange(3)
        if kind == 0:
            return _join(r.choice(self.p.adjectives)[_GENDER[gender]], noun, r.choice(self.p.with_))
        if kind == 1:
            return _cap(_join(noun, r.choice(self.p.with_)))
        return _cap(f"{self.topic()} {r.choice(self.p.positive)}")

    def improvement(self) -> str:
        r = self.rng
        kind = r.randrange(4)
        if kind <= 1:
            return _join(r.choice(self.p.verbs), self.topic(), r.choice(self.p.further))
        if kind == 2:
            noun, gender = self.thing()
            return _join(self.p.sentences["draw_up"], self.p.article[gender], noun, r.choice(self.p.further))
        return self.p.sentences["involve"].format(group=r.choice(self.p.groups_involved), topic=self.topic())

    def items(self, make, low: int, high: int) -> list[str]:
        count = self.rng.randint(low, high)
        items: list[str] = []
        for _ in range(count * 4):
            item = make()
            if item not in items:
                items.append(item)
            if len(items) == count:
                break
        return items


# ---------------------------------------------------------------- evaluations


@dataclass
class _Practice:
    slug: str
    name: str
    gold_star: bool
    description: str
    links: list[tuple[str, str]]


@dataclass
class _AreaResult:
    area: _Area
    printed_name: str | None
    points: list[float]
    description: str
    strengths: list[str]
    improvements: list[str]
    practices: list[_Practice]
    cited: list[tuple[str, str]]

    @property
    def total(self) -> float:
        return sum(self.points)


@dataclass
class _Evaluation:
    municipality: _Municipality
    framework: _Framework
    year: int
    month: int
    report_date: str
    ordinal: int
    previous_years: list[int]
    evaluators: list[str]
    interviewees: int
    source: str
    location: str
    summary: str
    areas: list[_AreaResult]
    discrepancies: list[tuple[int, str]]
    compared_with: list[_Evaluation] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(a.total for a in self.areas)

    @property
    def publisher(self) -> str:
        if self.municipality.country == "NO":
            return "KS"
        return "SKL" if self.year < 2020 else "SKR"


def _evaluation(
    rng: random.Random,
    municipality: _Municipality,
    framework: _Framework,
    year: int,
    ordinal: int,
    earlier: list[_Evaluation],
    register: list[_Municipality],
    frameworks: list[_Framework],
    slugs: set[str],
    p: _Phrases,
) -> _Evaluation:
    themes = p.area_themes.get(framework.id) or tuple(sorted(p.themes))
    level = min(0.92, max(0.12, municipality.quality + 0.04 * (ordinal - 1) + rng.gauss(0, 0.05)))
    areas = []
    for index, area in enumerate(framework.areas):
        theme = p.themes[themes[index % len(themes)]]
        share = min(0.97, max(0.05, level + rng.gauss(0, 0.12)))
        points = [_points(rng, q.max_points, share, framework.step) for q in area.questions]
        share = sum(points) / area.max_points
        writer = _Writer(rng, theme, share, municipality.name, p)
        printed = None
        if rng.random() < 0.04:
            others = [f.areas[index].name for f in frameworks if f.id != framework.id and len(f.areas) > index]
            printed = rng.choice(others) if others else None
        practices = []
        for _ in range(rng.choices((0, 1, 2, 3), (50, 33, 13, 4))[0]):
            practices.append(_practice(rng, writer, municipality, year, slugs))
        cited = []
        if rng.random() < 0.12 and len(register) > 1:
            for other in rng.sample(
                [mu for mu in register if mu.slug != municipality.slug], min(len(register) - 1, rng.randint(1, 2))
            ):
                cited.append((other.slug, rng.choice(theme.practices)))
        areas.append(
            _AreaResult(
                area,
                printed,
                points,
                writer.paragraph(430, 640),
                writer.items(writer.strength, 3, 10),
                writer.items(writer.improvement, 2, 8),
                practices,
                cited,
            )
        )
    month = rng.randint(2, 11)
    evaluators = sorted({f"{rng.choice(p.first_names)} {rng.choice(p.last_names)}" for _ in range(rng.randint(2, 3))})
    evaluation = _Evaluation(
        municipality,
        framework,
        year,
        month,
        f"{year}-{min(12, month + rng.randint(1, 3)):02d}-{rng.randint(1, 28):02d}",
        ordinal,
        [e.year for e in earlier],
        evaluators,
        rng.randint(25, 60),
        f"{'ks' if municipality.country == 'NO' else ('skl' if year < 2020 else 'skr')}-{year}-{municipality.slug}",
        p.sentences["location"].format(page=rng.randint(8, 60)),
        "",
        areas,
        [],
    )
    evaluation.summary = _summary(rng, evaluation, earlier, p)
    if printed_areas := [a for a in areas if a.printed_name]:
        for a in printed_areas:
            evaluation.discrepancies.append(
                (
                    a.area.number,
                    p.sentences["printed_name"].format(number=a.area.number, printed=a.printed_name, name=a.area.name),
                )
            )
    return evaluation


def _points(rng: random.Random, maximum: float, share: float, step: float) -> float:
    value = maximum * min(1.0, max(0.0, rng.gauss(share, 0.18)))
    value = round(value / step) * step
    return float(min(maximum, max(0.0, value)))


def _practice(
    rng: random.Random, writer: _Writer, municipality: _Municipality, year: int, slugs: set[str]
) -> _Practice:
    name = rng.choice(writer.theme.practices)
    base = f"{municipality.slug}-{_slugify(name)}"
    slug = base if base not in slugs else f"{base}-{year}"
    suffix = 2
    while slug in slugs:
        slug = f"{base}-{year}-{suffix}"
        suffix += 1
    slugs.add(slug)
    goal = rng.choice(writer.theme.goals)
    opening = rng.choice(
        [
            pattern.format(name=name, name_lower=_low(name), municipality=municipality.name, goal=goal)
            for pattern in writer.p.sentences["practice_openings"]
        ]
    )
    effects = rng.sample(writer.p.effects, rng.randint(1, 2))
    links = []
    if rng.random() < 0.2:
        links.append(
            (
                writer.p.sentences["practice_link"].format(name=name),
                f"https://www.example.org/{municipality.slug}/{slug}",
            )
        )
    return _Practice(slug, name, rng.random() < 0.12, " ".join([opening, *effects]), links)


def _summary(rng: random.Random, evaluation: _Evaluation, earlier: list[_Evaluation], p: _Phrases) -> str:
    name = evaluation.municipality.name
    areas = sorted(evaluation.areas, key=lambda a: (a.total, a.area.number))
    worst, second, best = areas[0], areas[1], areas[-1]
    best_writer = _Writer(rng, p.themes[_theme_of(evaluation.framework, best.area.number, p)], 0.9, name, p)
    worst_writer = _Writer(rng, p.themes[_theme_of(evaluation.framework, worst.area.number, p)], 0.1, name, p)
    say = p.sentences
    sentences = [
        say["summary_kind"].format(
            municipality=name, kind=rng.choice(p.kinds), topic=best_writer.topic(), positive=rng.choice(p.positive)
        ),
        say["summary_extremes"].format(
            best=_low(best.area.name),
            best_points=_num(best.total),
            worst=_low(worst.area.name),
            worst_points=_num(worst.total),
        ),
    ]
    total = say["summary_total"].format(total=_num(evaluation.total), maximum=_num(evaluation.framework.max_points))
    previous = next((e for e in reversed(earlier) if e.framework.id == evaluation.framework.id), None)
    if previous:
        difference = evaluation.total - previous.total
        direction = say["summary_more"] if difference >= 0 else say["summary_less"]
        total += say["summary_since"].format(difference=_num(abs(difference)), direction=direction, year=previous.year)
    sentences.append(total + ".")
    sentences.append(
        say["summary_challenges"].format(
            worst=_low(worst.area.name),
            second=_low(second.area.name),
            topic=worst_writer.topic(),
            negative=rng.choice(p.negative),
        )
    )
    target = rng.randint(620, 820)
    writers = (best_writer, worst_writer)
    while sum(len(s) + 1 for s in sentences) < target - 90:
        sentence = rng.choice(writers).sentence()
        if sentence not in sentences:
            sentences.insert(-1, sentence)
    sentences.append(say["summary_advice"].format(advice=rng.choice(p.advice)))
    return " ".join(sentences)


def _theme_of(framework: _Framework, number: int, p: _Phrases) -> str:
    themes = p.area_themes.get(framework.id) or tuple(sorted(p.themes))
    return themes[(number - 1) % len(themes)]


def _add_comparisons(rng: random.Random, evaluations: list[_Evaluation]) -> None:
    """Some reports print other evaluations of the same revision for comparison, with their totals."""
    by_framework: dict[str, list[_Evaluation]] = {}
    for evaluation in evaluations:
        by_framework.setdefault(evaluation.framework.id, []).append(evaluation)
    for evaluation in evaluations:
        if rng.random() >= 0.25:
            continue
        candidates = [
            e
            for e in by_framework[evaluation.framework.id]
            if e.year <= evaluation.year and e.municipality.slug != evaluation.municipality.slug
        ]
        if candidates:
            chosen = rng.sample(candidates, min(len(candidates), rng.randint(2, 5)))
            evaluation.compared_with = sorted(chosen, key=lambda e: (-e.total, e.municipality.slug, e.year))


# ---------------------------------------------------------------- YAML text


_PLAIN = re.compile(r"[A-Za-zÅÄÖåäöÆØæøÉéÜü0-9][^:#{}\[\]&*!|>'\"%@`\n]*")
_SPECIAL = re.compile(
    r"^(?:[-+]?[0-9][0-9_.:eE+-]*|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|no|No|"
    r"on|On|off|Off|y|Y|n|N)$"
)


def _q(value: object, flow: bool = False) -> str:
    """A YAML scalar: plain where that reads the same, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = (
        _PLAIN.fullmatch(text)
        and not _SPECIAL.match(text)
        and text == text.strip()
        and not (flow and "," in text)
        and text[-2:] != " -"
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


def _id(value: str) -> str:
    return f"'{value}'"


def _folded(key: str, text: str, indent: int) -> list[str]:
    pad = " " * (indent + 2)
    lines = textwrap.wrap(text, width=WIDTH - len(pad), break_long_words=False, break_on_hyphens=False)
    return [f"{' ' * indent}{key}: >-"] + [pad + line for line in lines]


def _register_yaml(register: list[_Municipality], seed: int) -> str:
    lines = [
        "# yaml-language-server: $schema=../generator/schemas/municipalities.schema.json",
        f"# A synthetic municipality register written by `kommunkompassen synth` (seed {seed}).",
        "# Names and codes are invented; any likeness to a real municipality is chance.",
        "municipalities:",
    ]
    for mu in register:
        lines += [
            f"  - slug: {mu.slug}",
            f"    code: {_id(mu.code)}",
            f"    name: {_q(mu.name)}",
            f"    county: {_q(mu.county)}",
        ]
        if mu.country != "SE":
            lines.append(f"    country: {_id(mu.country)}")
        lines.append("    facts:")
        lines.append(f"      - {{kind: population, value: {mu.population}, year: {mu.facts_year}}}")
        if mu.group:
            lines.append(
                f"      - {{kind: municipality_group, value: {_q(mu.group, flow=True)}, year: {mu.facts_year}}}"
            )
    return "\n".join(lines) + "\n"


def _sources_yaml(evaluations: list[_Evaluation], seed: int, p: _Phrases) -> str:
    lines = [
        "# yaml-language-server: $schema=../generator/schemas/sources.schema.json",
        f"# The invented reports of a synthetic data set (`kommunkompassen synth`, seed {seed}).",
        "sources:",
    ]
    for e in sorted(evaluations, key=lambda e: e.source):
        norwegian = e.municipality.country == "NO"
        title = p.sentences["norwegian_report_title" if norwegian else "report_title"].format(
            municipality=e.municipality.name
        )
        lines += [
            f"  - id: {e.source}",
            f"    title: {_q(title)}",
            f"    publisher: {e.publisher}",
            f"    year: {e.year}",
        ]
    return "\n".join(lines) + "\n"


def _evaluation_yaml(e: _Evaluation, phrases: _Phrases) -> str:
    out = [
        "# yaml-language-server: $schema=../../generator/schemas/evaluation.schema.json",
        "# A synthetic evaluation written by `kommunkompassen synth`; not a real report.",
        f"municipality: {e.municipality.slug}",
        f"year: {e.year}",
        f"month: {e.month}",
        f"report_date: '{e.report_date}'",
        f"framework: {_id(e.framework.id)}",
        "detail: full",
        f"ordinal: {e.ordinal}",
    ]
    if e.previous_years:
        out.append(f"previous_years: [{', '.join(map(str, e.previous_years))}]")
    out.append("evaluators:")
    out += [f"  - {_q(name)}" for name in e.evaluators]
    out += [f"interviewees: {e.interviewees}", "source:", f"  report: {e.source}", f"  location: {_q(e.location)}"]
    out += _folded("summary", e.summary, 0)
    out.append(f"reported_total: {_q(e.total)}")
    out.append("areas:")
    for a in e.areas:
        out.append(f"  - area: {a.area.number}")
        if a.printed_name:
            out.append(f"    printed_name: {_q(a.printed_name)}")
        out.append(f"    reported_points: {_q(a.total)}")
        out += _folded("description", a.description, 4)
        out.append("    questions:")
        out += [
            f"      - {{id: {_id(q.id)}, points: {_q(p)}}}" for q, p in zip(a.area.questions, a.points, strict=True)
        ]
        out.append("    strengths:")
        out += [f"      - {_q(s)}" for s in a.strengths]
        out.append("    improvements:")
        out += [f"      - {_q(s)}" for s in a.improvements]
        if a.practices:
            out.append("    good_practices:")
            for p in a.practices:
                out += [f"      - slug: {p.slug}", f"        name: {_q(p.name)}"]
                if p.gold_star:
                    out.append("        gold_star: true")
                out += _folded("description", p.description, 8)
                if p.links:
                    out.append("        links:")
                    out += [f"          - {{title: {_q(title, flow=True)}, url: '{url}'}}" for title, url in p.links]
        if a.cited:
            out.append("    cited_examples:")
            out += [f"      - {{municipality: {slug}, topic: {_q(topic, flow=True)}}}" for slug, topic in a.cited]
    if e.compared_with:
        out.append("compared_with:")
        location = _q(phrases.sentences["comparison_location"], flow=True)
        out += [
            f"  - {{municipality: {c.municipality.slug}, year: {c.year}, reported_total: {_q(c.total)}, location: {location}}}"
            for c in e.compared_with
        ]
    if e.discrepancies:
        out.append("discrepancies:")
        for number, text in e.discrepancies:
            out.append(f"  - area: {number}")
            out += _folded("text", text, 4)
    return "\n".join(out) + "\n"
