"""Synth: a synthetic, valid and realistic data set of any size, for benchmarks and tests.

`write_corpus(directory, municipalities, evaluations_per, seed)` writes a data
folder like evaluations/: a byte copy of the real framework catalogue, a report
register, a municipality register and `municipalities × evaluations_per` full
evaluations spread over the three revisions, with every question scored,
Swedish texts of the length real reports have, good practices (a few with a
gold star), cited examples, comparisons and the odd discrepancy.

Everything comes from one `random.Random(seed)` and nothing else (no clock, no
set or hash order), so the same arguments always give the same bytes. The texts
are made from phrase banks: they read like the real reports but say nothing
about any real municipality, and the municipality names and codes are invented.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import UsageError
from generator.messages import msg
from generator.loader import FRAMEWORKS_DIR, MUNICIPALITIES_FILE, SOURCES_FILE, plain_data

CATALOGUE = Path(__file__).resolve().parents[2] / "evaluations" / FRAMEWORKS_DIR
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
    _write(directory / MARKER, f"kommunkompassen synth --municipalities {municipalities} "
                               f"--evaluations-per {evaluations_per} --seed {seed}\n")
    rng = random.Random(seed)
    register = _register(rng, municipalities)
    evaluations: list[_Evaluation] = []
    slugs: set[str] = set()
    for municipality in register:
        own: list[_Evaluation] = []
        for ordinal, (framework, year) in enumerate(_years(rng, frameworks, counts, evaluations_per), start=1):
            own.append(_evaluation(rng, municipality, framework, year, ordinal, own, register, frameworks, slugs))
        evaluations.extend(own)
        municipality.facts_year = own[-1].year
    _add_comparisons(rng, evaluations)

    (directory / FRAMEWORKS_DIR).mkdir(parents=True, exist_ok=True)
    for path in sorted(CATALOGUE.glob("*.yaml")):
        (directory / FRAMEWORKS_DIR / path.name).write_bytes(path.read_bytes())
    _write(directory / MUNICIPALITIES_FILE, _register_yaml(register, seed))
    _write(directory / SOURCES_FILE, _sources_yaml(evaluations, seed))
    for evaluation in evaluations:
        _write(directory / evaluation.municipality.slug / f"{evaluation.year}.yaml", _evaluation_yaml(evaluation))
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
            _Area(a["number"], a["name"], a["max_points"],
                  tuple(_Question(str(q["id"]), q["max_points"]) for q in a["questions"]))
            for a in data["areas"]
        )
        frameworks.append(_Framework(str(data["id"]), data["label"], data["first_year"],
                                     data.get("last_year") or OPEN_END, data["max_points"], areas))
    return sorted(frameworks, key=lambda f: (f.first_year, f.id))


def _revision_counts(frameworks: list[_Framework], per: int) -> list[int]:
    """Evaluations of each revision per municipality, oldest first (0 = chosen at random)."""
    if per < len(frameworks):
        return []
    counts = [per // len(frameworks) + (1 if i < per % len(frameworks) else 0) for i in range(len(frameworks))]
    # Revisions share their first and last years, so each can hold one year fewer than it spans.
    room = [f.last_year - f.first_year for f in frameworks]
    if any(c > r for c, r in zip(counts, room, strict=True)):
        most = max(k for k in range(1, sum(room) + 1)
                   if all(k // len(room) + (1 if i < k % len(room) else 0) <= r for i, r in enumerate(room)))
        raise UsageError(msg("synth.too_many", per=per, most=most))
    return counts


def _years(rng: random.Random, frameworks: list[_Framework], counts: list[int], per: int) -> list[tuple[_Framework, int]]:
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


_PREFIXES = (
    "Al", "Alm", "Ask", "Back", "Berg", "Björk", "Bo", "Bred", "Dal", "Ek", "Elm", "Fager", "Falk", "Finn",
    "Gran", "Grön", "Hag", "Hall", "Hammar", "Hav", "Hed", "Hem", "Holm", "Hög", "Kall", "Kvarn", "Lax",
    "Lind", "Ljung", "Lö", "Mal", "Mark", "Mo", "Mörk", "Nor", "Ny", "Olof", "Rams", "Ros", "Rå", "Sand",
    "Sil", "Sjö", "Skog", "Sol", "Sten", "Stor", "Strand", "Sval", "Söder", "Tall", "Tor", "Ulf", "Vall",
    "Ving", "Väster", "Ås", "Öster", "Åker", "Ör",
)
_SUFFIXES = (
    "by", "köping", "hamn", "sund", "vik", "dal", "berg", "näs", "holm", "ström", "fors", "tuna", "stad",
    "lunda", "hult", "ryd", "torp", "inge", "åker", "mo", "bo", "sjö", "vara", "red", "lösa", "bro", "ås",
    "fälle",
)
_NO_SUFFIXES = ("dal", "vik", "berg", "stad", "sund", "fjord", "nes", "øy", "heim", "land", "strand", "haug")
_VARIANTS = ("Norra", "Södra", "Östra", "Västra", "Övre", "Nedre")
# Swedish counties with their code and number of municipalities; Norwegian counties with their code.
_SE_COUNTIES = (
    ("01", "Stockholms län", 26), ("03", "Uppsala län", 8), ("04", "Södermanlands län", 9),
    ("05", "Östergötlands län", 13), ("06", "Jönköpings län", 13), ("07", "Kronobergs län", 8),
    ("08", "Kalmar län", 12), ("09", "Gotlands län", 1), ("10", "Blekinge län", 5), ("12", "Skåne län", 33),
    ("13", "Hallands län", 6), ("14", "Västra Götalands län", 49), ("17", "Värmlands län", 16),
    ("18", "Örebro län", 12), ("19", "Västmanlands län", 10), ("20", "Dalarnas län", 15),
    ("21", "Gävleborgs län", 10), ("22", "Västernorrlands län", 7), ("23", "Jämtlands län", 8),
    ("24", "Västerbottens län", 15), ("25", "Norrbottens län", 14),
)
_NO_COUNTIES = (("30", "Viken"), ("34", "Innlandet"), ("38", "Vestfold og Telemark"), ("42", "Agder"),
                ("46", "Vestland"), ("50", "Trøndelag"), ("54", "Troms og Finnmark"))
_GROUPS = ("Storstad", "Pendlingskommun nära storstad", "Större stad", "Pendlingskommun nära större stad",
           "Lågpendlingskommun nära större stad", "Mindre stad/tätort", "Landsbygdskommun",
           "Landsbygdskommun med besöksnäring")


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


def _register(rng: random.Random, count: int) -> list[_Municipality]:
    swedish = [_compound(p, s) for p in _PREFIXES for s in _SUFFIXES]
    norwegian = [_compound(p, s) for p in _PREFIXES for s in _NO_SUFFIXES if not set(p.lower()) & set("åäö")]
    rng.shuffle(swedish)
    rng.shuffle(norwegian)
    names_se = iter(swedish + [f"{v} {n}" for v in _VARIANTS for n in swedish])
    names_no = iter(norwegian + [f"{v} {n}" for v in ("Nordre", "Søndre", "Øvre", "Nedre") for n in norwegian])
    free_codes = {code: rng.sample(range(1, 100), 99) for code, *_ in _SE_COUNTIES + _NO_COUNTIES}
    weights = [n for _, _, n in _SE_COUNTIES]
    used_slugs: set[str] = set()
    used_codes: set[str] = set()
    spare = iter(range(6000, 10000))  # once the counties' codes run out
    result: list[_Municipality] = []
    while len(result) < count:
        norway = rng.random() < 0.05
        if norway:
            county_code, county = _NO_COUNTIES[rng.randrange(len(_NO_COUNTIES))]
            name = next(names_no)
        else:
            county_code, county, _ = rng.choices(_SE_COUNTIES, weights)[0]
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
        group = None if norway else _GROUPS[min(len(_GROUPS) - 1, max(0, 7 - int(population ** 0.5 / 55)))]
        quality = min(0.9, max(0.2, rng.gauss(0.55, 0.12)))
        result.append(_Municipality(slug, code, name, county, "NO" if norway else "SE", population, group, quality))
    return sorted(result, key=lambda mu: mu.slug)


# ---------------------------------------------------------------- phrase banks


@dataclass(frozen=True)
class _Theme:
    topics: tuple[str, ...]  # definite noun phrases: "medborgardialogen"
    things: tuple[tuple[str, str], ...]  # indefinite noun phrases and gender (u, n, p)
    practices: tuple[str, ...]  # names of good practices
    goals: tuple[str, ...]  # infinitive phrases: "öka ..."


_THEMES = {
    "demokrati": _Theme(
        ("medborgardialogen", "informationen till medborgarna", "webbplatsen", "resultatredovisningen till medborgarna",
         "stödet till de förtroendevalda", "arbetet mot korruption", "ungdomsrådet", "hanteringen av medborgarförslag",
         "kommunikationen i sociala medier", "dialogen med föreningslivet", "demokratiberedningen"),
        (("strategi för demokratiutveckling", "u"), ("kommunikationsprogram", "n"), ("webbplats med tydlig struktur", "u"),
         ("redovisning av resultat till medborgarna", "u"), ("handbok för förtroendevalda", "u"),
         ("rutin mot hot och hat mot förtroendevalda", "u"), ("arbete med ungdomsinflytande", "n"),
         ("policy mot mutor och jäv", "u"), ("utbildning för nya förtroendevalda", "u"),
         ("medborgardialog i tidiga skeden", "u"), ("kanaler för information", "p")),
        ("Medborgarpanel om budgeten", "Öppna nämndsammanträden på webben", "Ungdomsfullmäktige",
         "Månadsbrev från kommunstyrelsens ordförande", "Dialogkvällar i kommundelarna", "Interaktiv karta över resultaten",
         "Digital medborgarbudget", "Etikutbildning för förtroendevalda", "Lättläst årsredovisning",
         "Politikerforum på biblioteken", "Medborgarlöften i stadsdelarna", "Webbsända fullmäktigemöten"),
        ("öka medborgarnas delaktighet i viktiga beslut", "göra kommunens resultat begripliga för fler",
         "stärka förtroendet för den lokala demokratin", "nå grupper som sällan deltar i dialoger",
         "ge de förtroendevalda bättre stöd i uppdraget"),
    ),
    "brukare": _Theme(
        ("brukarperspektivet", "tillgängligheten", "bemötandet", "synpunktshanteringen", "brukarundersökningarna",
         "servicedeklarationerna", "kontaktcenter", "e-tjänsterna", "informationen om valfrihet",
         "uppföljningen av klagomål", "brukarinflytandet"),
        (("kontaktcenter med långa öppettider", "n"), ("system för synpunkter och klagomål", "n"),
         ("utbud av e-tjänster", "n"), ("servicedeklaration för flera verksamheter", "u"),
         ("brukarundersökning i äldreomsorgen", "u"), ("utbildning i bemötande", "u"), ("information om valfrihet", "u"),
         ("uppföljning av brukarnöjdhet per enhet", "u"), ("tjänstedesign i förvaltningarna", "u"),
         ("kontaktvägar för synpunkter och felanmälan", "p")),
        ("Servicegarantier med återkoppling", "Kontaktcenter med en väg in", "Brukarråd i äldreomsorgen",
         "Tjänstedesign tillsammans med brukarna", "Digitala synpunkter med svar inom fem dagar",
         "Resultat per enhet på webben", "Medborgarlöften i hemtjänsten", "Bemötandeutbildning för all personal",
         "Språkombud i välfärden", "Brukarrevisioner i LSS-verksamheten", "Mobil medborgarservice på landsbygden"),
        ("göra det enklare att komma i kontakt med kommunen", "låta brukarna påverka hur tjänsterna utformas",
         "fånga upp synpunkter och lära av dem", "ge invånarna en tydlig bild av vad de kan förvänta sig"),
    ),
    "styrning": _Theme(
        ("styrmodellen", "målstyrningen", "budgetprocessen", "uppföljningen till nämnderna",
         "samspelet mellan politiker och tjänstepersoner", "den interna kontrollen", "ägarstyrningen av bolagen",
         "delegationsordningen", "analysen av resultaten", "visionen", "värdegrunden"),
        (("styrmodell för hela koncernen", "u"), ("målkedja från vision till enhet", "u"),
         ("årshjul för budget och uppföljning", "n"), ("system för intern kontroll", "n"),
         ("ägardirektiv till bolagen", "p"), ("rollfördelning mellan politik och förvaltning", "u"),
         ("analysdag med nämnderna", "u"), ("uppföljning av fullmäktiges mål", "u"), ("budgetdialog", "u"),
         ("indikatorer med målvärden", "p")),
        ("Gemensamma analysdagar för politiker och chefer", "Målkedja från vision till medarbetare",
         "Politiskt årshjul", "Koncerngemensam styrmodell", "Resultatdialoger med nämnderna",
         "Uppdragsdialog mellan politik och förvaltning", "Samlad uppföljningsportal",
         "Internkontroll i en gemensam plan", "Rollutbildning för nya nämndsledamöter", "Budgetberedning med scenarier"),
        ("ge fullmäktige en samlad bild av måluppfyllelsen", "tydliggöra rollerna mellan politik och förvaltning",
         "koppla ihop ekonomi och verksamhet i styrningen", "skapa samsyn om vad som ska uppnås"),
    ),
    "ledning": _Theme(
        ("delegeringen", "chefernas mandat", "ledningsgruppens arbete", "samverkan mellan förvaltningarna",
         "den centrala ledningen", "chefernas administrativa stöd", "ledarskapet", "medarbetarskapet",
         "informationen inom organisationen", "ansvarsfördelningen", "chefsintroduktionen"),
        (("chefsutvecklingsprogram", "n"), ("ledningsgrupp med tydligt uppdrag", "u"), ("delegation till enhetscheferna", "u"),
         ("samverkan över förvaltningsgränserna", "u"), ("stöd till nya chefer", "n"), ("chefsforum", "n"),
         ("medarbetarskapspolicy", "u"), ("intern kommunikation", "u"), ("mentorsprogram för chefer", "n"),
         ("dialogmodeller mellan chef och medarbetare", "p")),
        ("Ledarforum för alla chefer", "Mentorsprogram för nya chefer", "Traineeprogram för blivande chefer",
         "Gemensamma ledningsdagar", "Chefsstöd med en väg in", "Tvärsektoriella utvecklingsgrupper",
         "Öppna ledningsgruppsanteckningar", "Medarbetarskapsutbildning", "Ledarskapskriterier i rekryteringen",
         "Chefspool för vikariat"),
        ("ge cheferna bättre förutsättningar att leda", "stärka samverkan över förvaltningsgränserna",
         "göra ansvar och mandat tydliga", "sprida information snabbt i hela organisationen"),
    ),
    "kontroll": _Theme(
        ("resultatuppföljningen", "jämförelsearbetet", "kostnadsuppföljningen", "effektiviseringsarbetet",
         "lokalförsörjningen", "rapporteringen till nämnderna", "projektstyrningen", "digitaliseringen",
         "användningen av befolkningsprognoser", "analysen av nyckeltal", "uppföljningen av avtal"),
        (("jämförelsenätverk med andra kommuner", "n"), ("uppföljning av nyckeltal", "u"),
         ("process för lokalförsörjning", "u"), ("projektmodell", "u"), ("digitaliseringsstrategi", "u"),
         ("rapportering per enhet", "u"), ("kostnadsanalys per verksamhet", "u"), ("befolkningsprognos", "u"),
         ("effektiviseringsprogram", "n"), ("e-tjänster för interna flöden", "p")),
        ("Jämförelsenätverk med grannkommunerna", "Gemensam projektmodell", "Lokalförsörjningsplan för tio år",
         "Nyckeltal per enhet i en öppen portal", "Automatiserad ekonomiuppföljning", "Digital tvilling för planering",
         "Effektiviseringsråd", "Kostnad per brukare som styrtal", "Robotiserad fakturahantering",
         "Månadsvis prognosdialog"),
        ("använda resurserna där de gör mest nytta", "jämföra resultaten med andra och lära av skillnaderna",
         "planera lokaler och verksamhet långsiktigt", "frigöra tid från administration"),
    ),
    "personal": _Theme(
        ("kompetensförsörjningen", "arbetsmiljöarbetet", "medarbetarsamtalen", "lönepolitiken",
         "arbetet mot sjukfrånvaron", "introduktionen av nya medarbetare", "jämställdhetsarbetet",
         "medarbetarenkäten", "arbetsgivarvarumärket", "kompetensutvecklingen", "heltidsarbetet"),
        (("kompetensförsörjningsplan", "u"), ("systematiskt arbetsmiljöarbete", "n"), ("introduktionsprogram", "n"),
         ("medarbetarenkät", "u"), ("lönepolicy", "u"), ("friskvårdssatsning", "u"), ("plan för lika rättigheter", "u"),
         ("utbildning för skyddsombud", "u"), ("arbetsgivarvarumärke", "n"), ("karriärvägar i välfärden", "p")),
        ("Kompetenscenter för medarbetare", "Heltid som norm", "Introduktionsdag för alla nyanställda",
         "Friskvårdstimme", "Karriärvägar för undersköterskor", "Hälsofrämjande arbetsplatser",
         "Språkstöd för medarbetare", "Ledarskapsakademi", "Sommarjobb för unga", "Tidig rehabilitering vid sjukfrånvaro"),
        ("behålla och utveckla medarbetarna", "minska sjukfrånvaron", "bli en mer attraktiv arbetsgivare",
         "säkra kompetensen för framtidens välfärd"),
    ),
    "utveckling": _Theme(
        ("kvalitetsarbetet", "förbättringsarbetet", "innovationsarbetet", "omvärldsbevakningen",
         "lärandet mellan enheterna", "kvalitetsledningssystemet", "arbetet med ständiga förbättringar",
         "spridningen av goda exempel", "utvecklingsstödet", "avvikelsehanteringen", "välfärdstekniken"),
        (("kvalitetsledningssystem", "n"), ("innovationsfond", "u"), ("kvalitetsnätverk", "n"),
         ("förbättringstavlor på arbetsplatserna", "p"), ("system för avvikelsehantering", "n"), ("utvecklingsenhet", "u"),
         ("kvalitetspris", "n"), ("omvärldsbevakning", "u"), ("plan för verksamhetsutveckling", "u"),
         ("modell för ständiga förbättringar", "u")),
        ("Innovationsfond för medarbetarnas idéer", "Kvalitetsnätverk över förvaltningsgränserna",
         "Förbättringstavlor på arbetsplatserna", "Årligt kvalitetspris", "Utvecklingsledare i varje förvaltning",
         "Lärande nätverk mellan skolor", "Idélabb för välfärdsteknik", "Kvalitetsdag för alla enheter",
         "Avvikelser som lärtillfällen", "Gemensam modell för tjänsteutveckling"),
        ("ta tillvara medarbetarnas idéer", "sprida goda exempel mellan enheterna",
         "arbeta systematiskt med förbättringar", "pröva nya lösningar i liten skala"),
    ),
    "samhalle": _Theme(
        ("hållbarhetsarbetet", "näringslivsarbetet", "samarbetet med föreningslivet", "kulturarbetet",
         "folkhälsoarbetet", "klimatarbetet", "integrationsarbetet", "landsbygdsutvecklingen",
         "det internationella arbetet", "samverkan med civilsamhället", "trygghetsarbetet"),
        (("hållbarhetsprogram", "n"), ("näringslivsstrategi", "u"), ("överenskommelse med civilsamhället", "u"),
         ("klimatstrategi", "u"), ("folkhälsoplan", "u"), ("företagslots", "u"), ("föreningsstöd", "n"),
         ("kulturplan", "u"), ("landsbygdsprogram", "n"), ("insatser för trygghet", "p")),
        ("Företagslots med en väg in", "Överenskommelse med civilsamhället", "Landsbygdsmiljon till föreningar",
         "Klimatlöften för hushållen", "Sommarlovsentreprenörer", "Kulturgaranti för alla barn", "Trygghetsvandringar",
         "Lokal handlingsplan för folkhälsa", "Vänortssamarbete kring hållbarhet",
         "Föreningsbidrag för energieffektivisering"),
        ("skapa goda förutsättningar för företagande", "stärka samarbetet med föreningslivet",
         "minska klimatpåverkan i hela kommunen", "göra kommunen attraktiv att bo och verka i"),
    ),
}
# Which theme each area of each revision is about (by area number).
_AREA_THEMES = {
    "2002": ("demokrati", "brukare", "styrning", "ledning", "kontroll", "personal", "utveckling", "samhalle"),
    "2010": ("demokrati", "brukare", "styrning", "ledning", "kontroll", "personal", "utveckling", "samhalle"),
    "2020": ("demokrati", "samhalle", "styrning", "kontroll", "brukare", "utveckling", "personal", "ledning"),
}
_ADJECTIVES = (("Tydlig", "Tydligt", "Tydliga"), ("Väl förankrad", "Väl förankrat", "Väl förankrade"),
               ("Systematisk", "Systematiskt", "Systematiska"), ("Genomarbetad", "Genomarbetat", "Genomarbetade"),
               ("Bred", "Brett", "Breda"), ("Aktiv", "Aktivt", "Aktiva"), ("Samlad", "Samlat", "Samlade"),
               ("Uppskattad", "Uppskattat", "Uppskattade"), ("Välfungerande", "Välfungerande", "Välfungerande"),
               ("Strukturerad", "Strukturerat", "Strukturerade"), ("Nyligen uppdaterad", "Nyligen uppdaterat", "Nyligen uppdaterade"))
_NEW = {"u": "en ny", "n": "ett nytt", "p": "nya"}
_ARTICLE = {"u": "en", "n": "ett", "p": ""}
_GENDER = {"u": 0, "n": 1, "p": 2}
_POSITIVE = ("fungerar väl", "lyfts fram som en styrka av de intervjuade", "följs upp regelbundet i nämnderna",
             "har utvecklats tydligt sedan förra utvärderingen", "bygger på en tydlig analys av behoven",
             "når ut till de flesta verksamheter", "ger ett bra stöd åt cheferna", "har fått genomslag även i bolagen",
             "håller en hög nivå jämfört med andra kommuner", "uppskattas av både förtroendevalda och medarbetare",
             "präglas av öppenhet och delaktighet", "har en tydlig koppling till visionen",
             "bedrivs systematiskt och med engagemang", "har blivit en naturlig del av vardagen")
_NEGATIVE = ("behöver utvecklas", "saknar ännu en samlad strategi", "varierar mycket mellan förvaltningarna",
             "behöver förankras bättre i organisationen", "följs sällan upp på ett systematiskt sätt",
             "har stannat av sedan förra utvärderingen", "bygger mest på enskilda eldsjälar",
             "genomförs utan tydliga mål", "tar mycket tid från kärnverksamheten", "behöver få ett tydligare ägarskap",
             "saknar en koppling till budgeten")
_PLACES = ("i hela organisationen", "inom äldreomsorgen", "inom skolan", "i de kommunala bolagen", "enligt de intervjuade",
           "jämfört med förra utvärderingen", "i flera av förvaltningarna", "under de senaste åren",
           "inom socialtjänsten", "i samhällsbyggnadsförvaltningen", "", "", "")
_CHANGES = ("utvecklats i flera steg", "fått ett tydligare politiskt uppdrag", "samlats under en gemensam funktion",
            "förändrats i grunden", "stått relativt still", "fått mer resurser", "breddats till fler verksamheter")
_FOCUS = ("uppföljning och analys", "förankringen hos första linjens chefer", "kopplingen till budgeten",
          "resultatredovisningen", "samverkan över förvaltningsgränserna", "delaktigheten bland medarbetarna",
          "jämförelser med andra kommuner", "dokumentationen av arbetssätten")
_ACTIONS = ("tagit fram", "infört", "antagit", "beslutat om", "arbetat fram")
_VERBS = ("Utveckla", "Förankra", "Följ upp", "Tydliggör", "Stärk", "Samordna", "Fortsätt utveckla", "Se över",
          "Systematisera", "Synliggör", "Förenkla", "Analysera")
_FURTHER = ("hela vägen ut i organisationen", "i alla förvaltningar", "med tydliga mål och indikatorer",
            "tillsammans med de förtroendevalda", "och redovisa resultaten öppet", "utifrån medarbetarenkätens resultat",
            "med stöd av jämförelser med andra kommuner", "även i de kommunala bolagen", "", "", "")
_WITH = ("i hela organisationen", "med tydlig koppling till styrmodellen", "även i de kommunala bolagen",
         "med regelbunden uppföljning", "inom äldreomsorgen", "inom skolan", "med brett politiskt stöd",
         "som bygger på dialog", "", "", "", "")
_GROUPS_INVOLVED = ("första linjens chefer", "medarbetarna", "de förtroendevalda", "brukarna", "föreningslivet",
                    "de kommunala bolagen")
_KINDS = ("utvecklingsinriktad", "välskött", "öppen och lärande", "stabil", "ambitiös", "förändringsbenägen",
          "traditionellt styrd", "engagerad", "resultatinriktad")
_ADVICE = ("tar ett samlat grepp om styrningen", "förankrar visionen hela vägen ut i verksamheterna",
           "utvecklar dialogen mellan politik och förvaltning", "gör resultaten mer synliga för medborgarna",
           "stärker stödet till första linjens chefer", "följer upp sina satsningar mer systematiskt",
           "tar vara på medarbetarnas idéer i förbättringsarbetet", "jämför sig mer med andra kommuner")
_EFFECTS = ("Arbetssättet har spridits till fler förvaltningar och följs upp varje år.",
            "Utvärderarna lyfter det som ett exempel som andra kommuner kan lära av.",
            "Resultaten redovisas öppet och används i den årliga planeringen.",
            "Satsningen har gett märkbara resultat och uppskattas av dem som berörs.",
            "Det bygger på samverkan mellan flera förvaltningar och med externa aktörer.",
            "Erfarenheterna har samlats i en handledning som andra enheter kan använda.",
            "Arbetet leds av en liten grupp men når ut till många verksamheter.")
_FIRST_NAMES = ("Anna", "Erik", "Maria", "Lars", "Karin", "Anders", "Sara", "Johan", "Eva", "Per", "Lena", "Mikael",
                "Kerstin", "Magnus", "Ingrid", "Fredrik", "Helena", "Jonas", "Camilla", "Ola", "Ulrika", "Peter",
                "Malin", "Henrik", "Sofia", "Björn", "Elin", "Gunnar", "Annika", "Stefan")
_LAST_NAMES = ("Andersson", "Berg", "Carlsson", "Dahl", "Ekström", "Forsberg", "Gustafsson", "Holm", "Isaksson",
               "Jansson", "Karlsson", "Lindqvist", "Magnusson", "Nilsson", "Olsson", "Persson", "Sandberg",
               "Lundgren", "Wallin", "Åberg", "Öberg", "Sjöberg", "Nyström", "Hedlund", "Bergström")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _low(text: str) -> str:
    return text[:1].lower() + text[1:]


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _num(value: float) -> str:
    return f"{value:g}".replace(".", ",")


class _Writer:
    """Swedish sentences about one theme, leaning positive or negative with the score."""

    def __init__(self, rng: random.Random, theme: _Theme, share: float, name: str):
        self.rng, self.theme, self.share, self.name = rng, theme, share, name

    def judgement(self) -> str:
        return self.rng.choice(_POSITIVE if self.rng.random() < self.share else _NEGATIVE)

    def topic(self) -> str:
        return self.rng.choice(self.theme.topics)

    def thing(self) -> tuple[str, str]:
        return self.rng.choice(self.theme.things)

    def sentence(self) -> str:
        r = self.rng
        kind = r.randrange(8)
        if kind == 0:
            first, second = r.sample(self.theme.topics, 2)
            return f"{_cap(_join(first, r.choice(_POSITIVE), r.choice(_PLACES)))}, medan {second} {r.choice(_NEGATIVE)}."
        if kind == 1:
            noun, gender = self.thing()
            return f"{self.name} har {r.choice(_ACTIONS)} {_NEW[gender]} {noun}, och {self.topic()} {self.judgement()}."
        if kind == 2:
            return f"De intervjuade beskriver att {_join(self.topic(), self.judgement(), r.choice(_PLACES))}."
        if kind == 3:
            return f"Sedan förra utvärderingen har {self.topic()} {r.choice(_CHANGES)}."
        if kind == 4:
            return f"Utvärderarna ser {self.topic()} som ett utvecklingsområde, särskilt när det gäller {r.choice(_FOCUS)}."
        if kind == 5:
            noun, gender = self.thing()
            adjective = _low(r.choice(_ADJECTIVES)[_GENDER[gender]])
            found = _join("Det finns", _ARTICLE[gender], adjective, noun, r.choice(_PLACES))
            return f"{found}, men {self.topic()} {r.choice(_NEGATIVE)}."
        if kind == 6:
            first, second = r.sample(self.theme.topics, 2)
            return f"{_cap(first)} {self.judgement()}, och {second} {self.judgement()}."
        return f"En utmaning är att {_join(self.topic(), r.choice(_NEGATIVE), r.choice(_PLACES))}."

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
            return _join(r.choice(_ADJECTIVES)[_GENDER[gender]], noun, r.choice(_WITH))
        if kind == 1:
            return _cap(_join(noun, r.choice(_WITH)))
        return _cap(f"{self.topic()} {r.choice(_POSITIVE)}")

    def improvement(self) -> str:
        r = self.rng
        kind = r.randrange(4)
        if kind <= 1:
            return _join(r.choice(_VERBS), self.topic(), r.choice(_FURTHER))
        if kind == 2:
            noun, gender = self.thing()
            return _join("Ta fram", _ARTICLE[gender], noun, r.choice(_FURTHER))
        return f"Involvera {r.choice(_GROUPS_INVOLVED)} i {self.topic()}"

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


def _evaluation(rng: random.Random, municipality: _Municipality, framework: _Framework, year: int, ordinal: int,
                earlier: list[_Evaluation], register: list[_Municipality], frameworks: list[_Framework],
                slugs: set[str]) -> _Evaluation:
    themes = _AREA_THEMES.get(framework.id) or tuple(sorted(_THEMES))
    level = min(0.92, max(0.12, municipality.quality + 0.04 * (ordinal - 1) + rng.gauss(0, 0.05)))
    areas = []
    for index, area in enumerate(framework.areas):
        theme = _THEMES[themes[index % len(themes)]]
        share = min(0.97, max(0.05, level + rng.gauss(0, 0.12)))
        points = [_points(rng, q.max_points, share, framework.step) for q in area.questions]
        share = sum(points) / area.max_points
        writer = _Writer(rng, theme, share, municipality.name)
        printed = None
        if rng.random() < 0.04:
            others = [f.areas[index].name for f in frameworks if f.id != framework.id and len(f.areas) > index]
            printed = rng.choice(others) if others else None
        practices = []
        for _ in range(rng.choices((0, 1, 2, 3), (50, 33, 13, 4))[0]):
            practices.append(_practice(rng, writer, municipality, year, slugs))
        cited = []
        if rng.random() < 0.12 and len(register) > 1:
            for other in rng.sample([mu for mu in register if mu.slug != municipality.slug], min(len(register) - 1, rng.randint(1, 2))):
                cited.append((other.slug, rng.choice(theme.practices)))
        areas.append(_AreaResult(
            area, printed, points, writer.paragraph(430, 640),
            writer.items(writer.strength, 3, 10), writer.items(writer.improvement, 2, 8), practices, cited,
        ))
    month = rng.randint(2, 11)
    evaluators = sorted({f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}" for _ in range(rng.randint(2, 3))})
    evaluation = _Evaluation(
        municipality, framework, year, month, f"{year}-{min(12, month + rng.randint(1, 3)):02d}-{rng.randint(1, 28):02d}",
        ordinal, [e.year for e in earlier], evaluators, rng.randint(25, 60),
        f"{'ks' if municipality.country == 'NO' else ('skl' if year < 2020 else 'skr')}-{year}-{municipality.slug}",
        f"Poängsammanställning, s. {rng.randint(8, 60)}", "", areas, [],
    )
    evaluation.summary = _summary(rng, evaluation, earlier)
    if printed_areas := [a for a in areas if a.printed_name]:
        for a in printed_areas:
            evaluation.discrepancies.append((a.area.number, (
                f"Område {a.area.number} heter ”{a.printed_name}” i poängtabellen men ”{a.area.name}” i "
                f"rapportens text. Båda namnen förekommer i rapporten.")))
    return evaluation


def _points(rng: random.Random, maximum: float, share: float, step: float) -> float:
    value = maximum * min(1.0, max(0.0, rng.gauss(share, 0.18)))
    value = round(value / step) * step
    return float(min(maximum, max(0.0, value)))


def _practice(rng: random.Random, writer: _Writer, municipality: _Municipality, year: int, slugs: set[str]) -> _Practice:
    name = rng.choice(writer.theme.practices)
    base = f"{municipality.slug}-{_slugify(name)}"
    slug = base if base not in slugs else f"{base}-{year}"
    suffix = 2
    while slug in slugs:
        slug = f"{base}-{year}-{suffix}"
        suffix += 1
    slugs.add(slug)
    goal = rng.choice(writer.theme.goals)
    opening = rng.choice((
        f"{name} är ett arbetssätt som {municipality.name} använder för att {goal}.",
        f"Genom {_low(name)} vill kommunen {goal}.",
        f"{municipality.name} har infört {_low(name)} för att {goal}.",
    ))
    effects = rng.sample(_EFFECTS, rng.randint(1, 2))
    links = []
    if rng.random() < 0.2:
        links.append((f"{name} på kommunens webbplats", f"https://www.example.org/{municipality.slug}/{slug}"))
    return _Practice(slug, name, rng.random() < 0.12, " ".join([opening, *effects]), links)


def _summary(rng: random.Random, evaluation: _Evaluation, earlier: list[_Evaluation]) -> str:
    name = evaluation.municipality.name
    areas = sorted(evaluation.areas, key=lambda a: (a.total, a.area.number))
    worst, second, best = areas[0], areas[1], areas[-1]
    best_writer = _Writer(rng, _THEMES[_theme_of(evaluation.framework, best.area.number)], 0.9, name)
    worst_writer = _Writer(rng, _THEMES[_theme_of(evaluation.framework, worst.area.number)], 0.1, name)
    sentences = [
        f"{name} beskrivs som en {rng.choice(_KINDS)} kommun där {best_writer.topic()} {rng.choice(_POSITIVE)}.",
        f"Högst poäng får området {_low(best.area.name)} med {_num(best.total)} poäng och lägst området "
        f"{_low(worst.area.name)} med {_num(worst.total)} poäng.",
    ]
    total = f"Totalt får kommunen {_num(evaluation.total)} av {_num(evaluation.framework.max_points)} poäng"
    previous = next((e for e in reversed(earlier) if e.framework.id == evaluation.framework.id), None)
    if previous:
        difference = evaluation.total - previous.total
        direction = "mer" if difference >= 0 else "mindre"
        total += f", {_num(abs(difference))} poäng {direction} än vid utvärderingen {previous.year}"
    sentences.append(total + ".")
    sentences.append(f"De största utmaningarna finns inom {_low(worst.area.name)} och {_low(second.area.name)}, "
                     f"där {worst_writer.topic()} {rng.choice(_NEGATIVE)}.")
    target = rng.randint(620, 820)
    writers = (best_writer, worst_writer)
    while sum(len(s) + 1 for s in sentences) < target - 90:
        sentence = rng.choice(writers).sentence()
        if sentence not in sentences:
            sentences.insert(-1, sentence)
    sentences.append(f"Utvärderarna rekommenderar att kommunen {rng.choice(_ADVICE)}.")
    return " ".join(sentences)


def _theme_of(framework: _Framework, number: int) -> str:
    themes = _AREA_THEMES.get(framework.id) or tuple(sorted(_THEMES))
    return themes[(number - 1) % len(themes)]


def _add_comparisons(rng: random.Random, evaluations: list[_Evaluation]) -> None:
    """Some reports print other evaluations of the same revision for comparison, with their totals."""
    by_framework: dict[str, list[_Evaluation]] = {}
    for evaluation in evaluations:
        by_framework.setdefault(evaluation.framework.id, []).append(evaluation)
    for evaluation in evaluations:
        if rng.random() >= 0.25:
            continue
        candidates = [e for e in by_framework[evaluation.framework.id]
                      if e.year <= evaluation.year and e.municipality.slug != evaluation.municipality.slug]
        if candidates:
            chosen = rng.sample(candidates, min(len(candidates), rng.randint(2, 5)))
            evaluation.compared_with = sorted(chosen, key=lambda e: (-e.total, e.municipality.slug, e.year))


# ---------------------------------------------------------------- YAML text


_PLAIN = re.compile(r"[A-Za-zÅÄÖåäöÆØæøÉéÜü0-9][^:#{}\[\]&*!|>'\"%@`\n]*")
_SPECIAL = re.compile(r"^(?:[-+]?[0-9][0-9_.:eE+-]*|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|no|No|"
                      r"on|On|off|Off|y|Y|n|N)$")


def _q(value: object, flow: bool = False) -> str:
    """A YAML scalar: plain where that reads the same, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = (_PLAIN.fullmatch(text) and not _SPECIAL.match(text) and text == text.strip()
             and not (flow and "," in text) and text[-2:] != " -")
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
        lines += [f"  - slug: {mu.slug}", f"    code: {_id(mu.code)}", f"    name: {_q(mu.name)}",
                  f"    county: {_q(mu.county)}"]
        if mu.country != "SE":
            lines.append(f"    country: {_id(mu.country)}")
        lines.append("    facts:")
        lines.append(f"      - {{kind: population, value: {mu.population}, year: {mu.facts_year}}}")
        if mu.group:
            lines.append(f"      - {{kind: municipality_group, value: {_q(mu.group, flow=True)}, year: {mu.facts_year}}}")
    return "\n".join(lines) + "\n"


def _sources_yaml(evaluations: list[_Evaluation], seed: int) -> str:
    lines = [
        "# yaml-language-server: $schema=../generator/schemas/sources.schema.json",
        f"# The invented reports of a synthetic data set (`kommunkompassen synth`, seed {seed}).",
        "sources:",
    ]
    for e in sorted(evaluations, key=lambda e: e.source):
        norwegian = e.municipality.country == "NO"
        title = (f"Kommunekompasset. Evaluering av {e.municipality.name} kommune" if norwegian
                 else f"Kommunkompassen. Analys av {e.municipality.name} kommun")
        lines += [f"  - id: {e.source}", f"    title: {_q(title)}", f"    publisher: {e.publisher}", f"    year: {e.year}"]
    return "\n".join(lines) + "\n"


def _evaluation_yaml(e: _Evaluation) -> str:
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
        out += [f"      - {{id: {_id(q.id)}, points: {_q(p)}}}" for q, p in zip(a.area.questions, a.points, strict=True)]
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
        location = _q("Tabell 2, resultat jämfört med andra kommuner", flow=True)
        out += [f"  - {{municipality: {c.municipality.slug}, year: {c.year}, reported_total: {_q(c.total)}, location: {location}}}"
                for c in e.compared_with]
    if e.discrepancies:
        out.append("discrepancies:")
        for number, text in e.discrepancies:
            out.append(f"  - area: {number}")
            out += _folded("text", text, 4)
    return "\n".join(out) + "\n"
