"""A seeded generator of synthetic, valid claim corpora for tests and benchmarks.

Writes N claims to `DIR/<id>.yaml` and the people and organisations they mention to
`DIR/entities/<id>.yaml`, publishers among them (organisation entities with a media type and a
country; one continues another, one shares another's owner). The corpus is realistic in the ways
that matter for speed and page size: 2-6 sources per claim, 100-400 words of statement and source
notes, Belarusian and Russian text in titles, quotes and entity names, shared entities and tags,
every status, responses, related claims and status histories, documents cited by several claims
under variant addresses (tracking parameters, trailing slash), and sources whose origins and
publishers satisfy the checker's evidence rules. Everything is fictional (entity roles say so) and
every URL is on an example domain.

The same seed gives byte-identical files: all randomness comes from one `random.Random(seed)` and
nothing depends on the clock or on set ordering.

Example:

    python -m claimsite.synth --count 1000 --out /tmp/corpus --seed 7
    claimsite check /tmp/corpus
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml ships with the PyYAML wheels and dumps several times faster
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

from claimsite.model import ENTITY_FOLDER

CLAIM_PREFIX = "synthetic-claim-"
FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
"""Every generated date lies in this range (none in the future, none before the events)."""

STATUS_WEIGHTS = {
    "alleged": 30,
    "corroborated": 25,
    "confirmed": 15,
    "disputed": 12,
    "misleading": 10,
    "false": 8,
}
PRIMARY_BASIS = {
    "official-statement": "official-acknowledgement",
    "court-record": "court-or-official-finding",
    "leaked-media": "authenticated-media",
    "dataset": "primary-document",
}
"""Primary source kinds and the `basis` a confirmed claim resting on them names."""

# --------------------------------------------------------------------------- vocabularies

FIRST_NAMES = [  # (Belarusian Latin, Belarusian, Russian, Russian transliterations)
    ("Alyaksandr", "Аляксандр", "Александр", ["Aleksandr", "Alexander"]),
    ("Mikalai", "Мікалай", "Николай", ["Nikolai", "Nikolay"]),
    ("Siarhei", "Сяргей", "Сергей", ["Sergei", "Sergey"]),
    ("Uladzimir", "Уладзімір", "Владимир", ["Vladimir"]),
    ("Dzmitry", "Дзмітрый", "Дмитрий", ["Dmitry", "Dmitri"]),
    ("Andrei", "Андрэй", "Андрей", ["Andrey"]),
    ("Viktar", "Віктар", "Виктор", ["Viktor"]),
    ("Ihar", "Ігар", "Игорь", ["Igor"]),
    ("Yury", "Юрый", "Юрий", ["Yuri", "Yuriy"]),
    ("Pavel", "Павел", "Павел", ["Pavel"]),
    ("Maryia", "Марыя", "Мария", ["Maria", "Mariya"]),
    ("Volha", "Вольга", "Ольга", ["Olga"]),
    ("Sviatlana", "Святлана", "Светлана", ["Svetlana"]),
    ("Natallia", "Наталля", "Наталья", ["Natalya", "Natalia"]),
    ("Katsiaryna", "Кацярына", "Екатерина", ["Ekaterina", "Yekaterina"]),
    ("Hanna", "Ганна", "Анна", ["Anna"]),
    ("Iryna", "Ірына", "Ирина", ["Irina"]),
    ("Tatsiana", "Таццяна", "Татьяна", ["Tatiana", "Tatyana"]),
]
SURNAME_ROOTS = [  # (Belarusian Latin, Belarusian, Russian, Russian Latin)
    ("Kaval", "Кавал", "Ковал", "Koval"),
    ("Barys", "Барыс", "Борис", "Boris"),
    ("Hryn", "Грын", "Грин", "Grin"),
    ("Ivan", "Іван", "Иван", "Ivan"),
    ("Sidar", "Сідар", "Сидор", "Sidor"),
    ("Mikhal", "Міхал", "Михал", "Mikhal"),
    ("Zhuk", "Жук", "Жук", "Zhuk"),
    ("Karal", "Карал", "Корол", "Korol"),
    ("Stsiapan", "Сцяпан", "Степан", "Stepan"),
    ("Taras", "Тарас", "Тарас", "Taras"),
    ("Yakub", "Якуб", "Якуб", "Yakub"),
    ("Dzianis", "Дзяніс", "Денис", "Denis"),
    ("Sakal", "Сакал", "Сокол", "Sokol"),
    ("Makar", "Макар", "Макар", "Makar"),
    ("Shved", "Швед", "Швед", "Shved"),
    ("Lahun", "Лагун", "Лагун", "Lagun"),
    ("Klim", "Клім", "Клим", "Klim"),
    ("Navum", "Навум", "Наум", "Naum"),
    ("Savits", "Савіц", "Савиц", "Savits"),
    ("Rabts", "Рабц", "Рябц", "Ryabts"),
]
SURNAME_ENDINGS = [  # same four spellings as the roots
    ("enka", "енка", "енко", "enko"),
    ("evich", "евіч", "евич", "evich"),
    ("ouski", "оўскі", "овский", "ovsky"),
    ("au", "аў", "ов", "ov"),
]
CITIES = [  # (English, Russian-based English spelling, Belarusian adjective, Russian adjective)
    ("Minsk", "Minsk", "Мінскі", "Минский"),
    ("Hrodna", "Grodno", "Гродзенскі", "Гродненский"),
    ("Brest", "Brest", "Брэсцкі", "Брестский"),
    ("Viciebsk", "Vitebsk", "Віцебскі", "Витебский"),
    ("Mahiliou", "Mogilev", "Магілёўскі", "Могилёвский"),
    ("Homiel", "Gomel", "Гомельскі", "Гомельский"),
    ("Barysau", "Borisov", "Барысаўскі", "Борисовский"),
    ("Pinsk", "Pinsk", "Пінскі", "Пинский"),
    ("Lida", "Lida", "Лідскі", "Лидский"),
    ("Maladziechna", "Molodechno", "Маладзечанскі", "Молодечненский"),
    ("Salihorsk", "Soligorsk", "Салігорскі", "Солигорский"),
    ("Babruisk", "Bobruisk", "Бабруйскі", "Бобруйский"),
    ("Orsha", "Orsha", "Аршанскі", "Оршанский"),
    ("Navapolatsk", "Novopolotsk", "Наваполацкі", "Новополоцкий"),
    ("Zhodzina", "Zhodino", "Жодзінскі", "Жодинский"),
]
ORG_TYPES = [  # (English, Belarusian, Russian, id word)
    ("City Court", "гарадскі суд", "городской суд", "city-court"),
    ("District Court", "раённы суд", "районный суд", "district-court"),
    (
        "Regional Executive Committee",
        "абласны выканаўчы камітэт",
        "областной исполнительный комитет",
        "executive-committee",
    ),
    ("Police Department", "аддзел міліцыі", "отдел милиции", "police"),
    ("Human Rights Centre", "праваабарончы цэнтр", "правозащитный центр", "rights-centre"),
    ("Strike Committee", "стачачны камітэт", "стачечный комитет", "strike-committee"),
    ("Investigation Department", "следчы аддзел", "следственный отдел", "investigation"),
]
PERSON_ROLES = [
    "Deputy head of a regional police department",
    "Spokesperson for a city executive committee",
    "Judge of a district court",
    "Human rights defender",
    "Journalist for a regional newspaper",
    "Organiser of a factory strike committee",
    "Lawyer representing detained protesters",
    "Head of a temporary detention centre",
    "Member of a regional election commission",
]
TAGS = [
    "leak",
    "use-of-force",
    "detention",
    "torture",
    "election",
    "protest",
    "death-in-custody",
    "censorship",
    "media",
    "internet-shutdown",
    "strike",
    "sanctions",
    "court",
    "prison",
    "statistics",
    "labour",
    "education",
    "students",
    "lawyers",
    "journalists",
    "health",
    "exile",
    "property",
    "surveillance",
    "disinformation",
    "religion",
    "culture",
    "sport",
    "diaspora",
    "elections-2020",
]
EVENTS = [  # (title template, tags)
    ("Detentions reported after a rally in {place}", ["detention", "protest"]),
    ("{person} said to have ordered the dispersal of a march in {place}", ["use-of-force", "protest"]),
    ("Official figures on arrests in {place} questioned", ["statistics", "detention"]),
    ("Recording attributed to {person} discusses treatment of detainees", ["leak", "detention"]),
    ("{org} sentences organisers of a strike", ["court", "strike"]),
    ("Journalists' equipment reportedly seized in {place}", ["media", "journalists"]),
    ("Internet access reportedly cut in {place} during protests", ["internet-shutdown", "protest"]),
    ("{org} denies reports of ill-treatment in custody", ["torture", "detention"]),
    ("Accounts differ on the death of a detained protester in {place}", ["death-in-custody", "protest"]),
    ("Workers in {place} report pressure to sign loyalty statements", ["labour", "strike"]),
    ("Election commission in {place} accused of altering tallies", ["election", "elections-2020"]),
    ("Students expelled after protests in {place}", ["education", "students"]),
    ("Lawyer {person} reportedly barred from practice", ["lawyers", "court"]),
    ("{org} publishes disputed casualty figures", ["statistics", "disinformation"]),
]


@dataclass(frozen=True)
class Publisher:
    """A fictional outlet: an organisation entity that sources name by id or by name."""

    id: str
    name: str
    """English name (the entity's `name`)."""
    native: str
    """The name as the outlet writes it (in its language)."""
    host: str
    language: str
    kind: str
    """The `kind` of the documents it publishes."""
    media_type: str
    country: str
    links: dict[str, str] = field(default_factory=dict, compare=False)
    """successor_of / same_owner_as -> publisher id."""


PUBLISHERS = [
    Publisher(
        "northern-ledger",
        "Northern Ledger",
        "Northern Ledger",
        "news.example.org",
        "en",
        "news",
        "independent-media",
        "GB",
    ),
    Publisher(
        "eastern-europe-monitor",
        "Eastern Europe Monitor",
        "Eastern Europe Monitor",
        "monitor.example.net",
        "en",
        "analysis",
        "independent-media",
        "DE",
    ),
    Publisher("open-dossier", "Open Dossier", "Open Dossier", "dossier.example.com", "en", "ngo-report", "ngo", "LT"),
    Publisher(
        "rights-observatory",
        "Rights Observatory",
        "Rights Observatory",
        "rights.example.org",
        "en",
        "ngo-report",
        "ngo",
        "PL",
    ),
    Publisher(
        "city-herald", "City Herald", "Гарадскі веснік", "vesnik.example.org", "be", "news", "independent-media", "BY"
    ),
    Publisher(
        "regional-digest",
        "Regional Digest",
        "Рэгіянальны дайджэст",
        "dajdzhest.example.com",
        "be",
        "news",
        "independent-media",
        "PL",
        {"successor_of": "city-herald"},
    ),
    Publisher(
        "evening-courier", "Evening Courier", "Вечерний курьер", "kurier.example.net", "ru", "news", "state-media", "BY"
    ),
    Publisher(
        "independent-review",
        "Independent Review",
        "Независимое обозрение",
        "obozrenie.example.org",
        "ru",
        "analysis",
        "independent-media",
        "LV",
    ),
    Publisher(
        "ministry-press-office",
        "Ministry Press Office",
        "Пресс-служба ведомства",
        "press.example.org",
        "ru",
        "official-statement",
        "government-body",
        "BY",
    ),
    Publisher(
        "court-records-registry",
        "Court Records Registry",
        "Court Records Registry",
        "courts.example.org",
        "ru",
        "court-record",
        "government-body",
        "BY",
    ),
    Publisher(
        "leaks-archive",
        "Leaks Archive",
        "Архіў уцечак",
        "leaks.example.net",
        "be",
        "leaked-media",
        "political-organisation",
        "PL",
    ),
    Publisher(
        "detentions-data-project",
        "Detentions Data Project",
        "Detentions Data Project",
        "data.example.org",
        "en",
        "dataset",
        "ngo",
        "LT",
    ),
    Publisher(
        "channel-seven", "Channel Seven", "Канал Семь", "t.example.com", "ru", "social-media", "aggregator", "BY"
    ),
    Publisher(
        "evening-interview",
        "Evening Interview",
        "Evening Interview",
        "podcast.example.com",
        "en",
        "interview",
        "independent-media",
        "GB",
        {"same_owner_as": "northern-ledger"},
    ),
]
SECONDARY_PUBLISHERS = [p for p in PUBLISHERS if p.kind not in PRIMARY_BASIS]
"""Publishers for sources of no required kind (primary kinds are planned where a status needs them)."""
FAMILY = {p.id: next(iter(p.links.values()), p.id) for p in PUBLISHERS}
"""Publishers that are one for independence (a successor, a shared owner) share a family id."""
SHARED_DOCUMENT_RATE = 0.1
"""How often a source cites a document that an earlier claim cites."""
URL_VARIANTS = ["{url}", "{url}/", "{url}?utm_source=synthetic&utm_medium=feed", "{url}#details"]
"""Ways a cited document's address is written again (the same document in normal form)."""
ORIGINS = [
    "eyewitness-accounts",
    "leaked-recording",
    "official-figures",
    "court-documents",
    "hospital-records",
    "video-footage",
    "ngo-monitoring",
    "relatives-accounts",
    "social-media-posts",
    "press-conference",
]
AUTHORS = ["Staff reporter", "Anna Example", "Pavel Sample", "Вольга Прыклад", "Игорь Образцов"]
SOURCE_TITLE_PHRASES = {
    "en": [
        "what we know so far",
        "new details emerge",
        "court hears the case",
        "the official account",
        "witnesses describe the night in custody",
    ],
    "be": [
        "новыя звесткі пра затрыманні",
        "што вядома пра падзеі",
        "суд вынес прысуд",
        "сведкі распавялі пра ноч у ізалятары",
        "апублікаваны новы запіс",
    ],
    "ru": [
        "новые сведения о задержаниях",
        "что известно о событиях",
        "суд вынес приговор",
        "свидетели рассказали о ночи в изоляторе",
        "опубликована новая запись",
    ],
}
QUOTES: dict[str, list[tuple[str, str | None]]] = {  # (quote in the source language, English translation or None)
    "en": [
        ("We were told to clear the square by any means", None),
        ("Nobody explained why we were being held", None),
        ("All actions of the officers were lawful", None),
    ],
    "be": [
        ("Нам загадалі разагнаць людзей любым коштам", "We were ordered to disperse people at any cost"),
        ("Ніхто не тлумачыў, чаму нас затрымалі", "Nobody explained why we had been detained"),
        ("Мы баяліся казаць праўду", "We were afraid to tell the truth"),
    ],
    "ru": [
        ("Нам приказали разогнать людей любой ценой", "We were ordered to disperse people at any cost"),
        ("Никто не объяснил, почему нас задержали", "Nobody explained why we had been detained"),
        ("Все действия сотрудников были законными", "All actions of the officers were lawful"),
    ],
}
CYRILLIC_TERMS = [  # (Belarusian, Russian) wording quoted in statements
    ("мірны пратэст", "мирный протест"),
    ("адміністрацыйны арышт", "административный арест"),
    ("крымінальная справа", "уголовное дело"),
    ("службовая праверка", "служебная проверка"),
    ("масавыя беспарадкі", "массовые беспорядки"),
]
EVIDENCE = [
    "a leaked audio recording",
    "court documents",
    "hospital records",
    "video footage",
    "lists compiled by volunteers",
    "official statistics",
    "testimony from relatives",
]
STATEMENT_SENTENCES = [
    "According to {publisher}, {person} said that {org} acted on instructions in {place} on {date}.",
    "{org} has not responded publicly to the report.",
    "Witnesses quoted by {publisher} described detentions near the central square in {place}.",
    "The figure of {num} detained people comes from {publisher} and could not be verified independently.",
    "{person} is quoted as saying that the measures taken were lawful and proportionate.",
    "Belarusian-language reports call the events «{be_term}», while Russian-language outlets write «{ru_term}».",
    "The report was first published on {date} and was later shared widely on social media.",
    "A later statement by {org} gave a different account of the timeline.",
    "Relatives of those detained told {publisher} that they had not been informed of the charges.",
    "The claim rests mainly on {evidence}.",
    "{publisher} said it had reviewed {evidence} but did not publish it in full.",
    "Lawyers for the accused said they were denied access to their clients for {small} days.",
    "{person} later told {publisher} that the account had been taken out of context.",
    "Video published by {publisher} appears to show officers without insignia in {place}.",
    "Human rights monitors counted at least {num} people held in {place} in the following week.",
    "{org} said the information was provided to journalists by an unnamed official.",
    "The dates and locations given in the report match those in {evidence}.",
    "Neither {org} nor {person} has commented on the authenticity of {evidence}.",
]
NOTE_SENTENCES = [
    "Reports the events in {place} and quotes {person}.",
    "Gives the figure of {num} detentions, citing {org}.",
    "Describes {evidence} and how it was obtained.",
    "Repeats the official account without independent verification.",
    "Contradicts the timeline given by {org}.",
    "Provides background on {org} and its role in the events.",
    "Quotes a witness who uses the phrase «{ru_term}».",
    "Summarises the statement by {person} and the reaction of {org}.",
    "Lists {small} people by name, with the dates of their detention.",
    "Publishes the full text of the document, in Russian.",
]
STATUS_REASONS = {
    "alleged": "Reported by one outlet from a single origin; no independent corroboration yet.",
    "corroborated": "Two sources of independent origin agree; no primary material has been published.",
    "confirmed": "Established by primary material and consistent independent reporting.",
    "disputed": "Independently sourced accounts conflict on the central facts.",
    "misleading": "The events took place, but the figures quoted leave out essential context.",
    "false": "Primary records and several independent sources contradict the claim.",
}
MIN_NOTE_WORDS = 8
"""The shortest source note generated."""
FILLERS = ["", "Unconfirmed.", "Details unclear.", "Details remain unclear.", "Sources disagree on this."]
"""Short sentences indexed by their word count, to make a text come out at an exact length."""
CLAIM_RELATIONS = ["depends-on", "supports", "contradicts", "context", "same-event", "part-of"]
FREE_TEXT_ACTORS = ["An anonymous former officer", "A group of relatives", "Local residents"]


# --------------------------------------------------------------------------- small helpers


@dataclass(frozen=True)
class Entity:
    """An entity as the generator needs it: its id, kind and names by language."""

    id: str
    kind: str
    name: str
    be: str
    ru: str
    data: dict[str, Any] = field(compare=False)


def claim_id(number: int) -> str:
    """The id of the n-th generated claim (1-based)."""
    return f"{CLAIM_PREFIX}{number:05d}"


def day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A uniformly chosen day in [start, end] (end is clipped to LAST_DAY)."""
    end = min(end, LAST_DAY)
    start = min(start, end)
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def write_date(day: dt.date, precision: str = "day") -> str:
    """A date as the schema writes it: YYYY-MM-DD, YYYY-MM or YYYY."""
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def random_precision(rng: random.Random) -> str:
    """Mostly days, sometimes months, rarely years."""
    return rng.choices(["day", "month", "year"], weights=[75, 18, 7])[0]


def unique(items: Sequence[str]) -> list[str]:
    """Items without repeats, first occurrence kept."""
    return list(dict.fromkeys(items))


def exact_words(rng: random.Random, templates: Sequence[str], slots: dict[str, Any], count: int) -> str:
    """Whole sentences totalling exactly `count` words; list-valued slots vary per sentence.

    Each sentence is the first template that still fits, starting from a random one; the few words
    that no template fits are made up with one of the short FILLERS.
    """
    sentences: list[str] = []
    remaining = count
    while remaining >= len(FILLERS):
        values = {k: rng.choice(v) if isinstance(v, list) else v for k, v in slots.items()}
        start = rng.randrange(len(templates))
        fitting = (t.format(**values) for t in [*templates[start:], *templates[:start]])
        sentence = next((s for s in fitting if len(s.split()) <= remaining), FILLERS[-1])
        sentences.append(sentence)
        remaining -= len(sentence.split())
    if remaining:
        sentences.append(FILLERS[remaining])
    return " ".join(sentences)


def split_budget(rng: random.Random, total: int, parts: int, minimum: int) -> list[int]:
    """Split `total` into `parts` random whole numbers, each at least `minimum`."""
    spare = total - parts * minimum
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    shares = [int(spare * w / sum(weights)) for w in weights]
    shares[0] += spare - sum(shares)
    return [minimum + share for share in shares]


def word_count(claim: dict[str, Any]) -> int:
    """Words in a claim's statement and source notes (what the generator budgets)."""
    texts = [claim["statement"], *(s.get("note", "") for s in claim["sources"])]
    return sum(len(text.split()) for text in texts)


def dump(data: dict[str, Any]) -> str:
    """YAML text for one file: keys in schema order, Cyrillic written as is."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


# --------------------------------------------------------------------------- entities


def make_people(rng: random.Random, count: int) -> list[Entity]:
    """`count` fictional people with Belarusian and Russian names and transliterated aliases."""
    combos = [(f, r, e) for f in FIRST_NAMES for r in SURNAME_ROOTS for e in SURNAME_ENDINGS]
    rng.shuffle(combos)
    people = []
    for index in range(count):
        first, root, ending = combos[index % len(combos)]
        surname_be_latin = root[0] + ending[0]
        surname_ru_latin = root[3] + ending[3]
        name = f"{first[0]} {surname_be_latin}"
        be, ru = f"{first[1]} {root[1]}{ending[1]}", f"{first[2]} {root[2]}{ending[2]}"
        entity_id = f"{surname_be_latin}-{first[0]}".lower()
        if index >= len(combos):  # more people than name combinations: namesakes get a number
            entity_id += f"-{index // len(combos) + 1}"
        aliases = unique(
            [
                *(f"{variant} {surname_ru_latin}" for variant in first[3]),
                f"{first[0][0]}. {surname_be_latin}",
                be.split()[1],
                ru.split()[1],
            ]
        )
        data = {
            "kind": "person",
            "name": name,
            "names": {"be": be, "ru": ru},
            "aliases": [a for a in aliases if a != name],
            "role": f"{rng.choice(PERSON_ROLES)} (fictional person in synthetic test data)",
        }
        people.append(Entity(entity_id, "person", name, be, ru, data))
    return people


def make_organisations(rng: random.Random, count: int) -> list[Entity]:
    """`count` fictional organisations named after Belarusian cities."""
    combos = [(city, kind) for city in CITIES for kind in ORG_TYPES]
    rng.shuffle(combos)
    organisations = []
    for index in range(count):
        city, kind = combos[index % len(combos)]
        suffix = "" if index < len(combos) else f" {index // len(combos) + 1}"
        name = f"{city[0]} {kind[0]}{suffix}"
        be, ru = f"{city[2]} {kind[1]}{suffix}", f"{city[3]} {kind[2]}{suffix}"
        entity_id = f"{city[0]}-{kind[3]}".lower() + suffix.replace(" ", "-")
        aliases = unique([f"{city[1]} {kind[0]}{suffix}"])
        reference = {
            "url": f"https://registry.example.org/organisations/{entity_id}",
            "title": f"{ru}: справочная информация",
            "publisher": "Registry Example",
            "language": "ru",
        }
        data = {
            "kind": "organisation",
            "name": name,
            "names": {"be": be, "ru": ru},
            **({"aliases": aliases} if aliases != [name] else {}),
            "role": f"{kind[0]} in {city[0]} (fictional organisation in synthetic test data)",
            "sources": [reference],
        }
        organisations.append(Entity(entity_id, "organisation", name, be, ru, data))
    return organisations


def publisher_entity(publisher: Publisher) -> dict[str, Any]:
    """The organisation entity of a publisher, with the facts a reader weighs it by."""
    data: dict[str, Any] = {"kind": "organisation", "name": publisher.name}
    if publisher.native != publisher.name:
        data["names"] = {publisher.language: publisher.native}
    data["role"] = f"Publisher at {publisher.host} (fictional outlet in synthetic test data)"
    data["media_type"] = publisher.media_type
    data["country"] = publisher.country
    for field_name, other in publisher.links.items():
        data[field_name] = [other]
    return data


def pick_skewed(rng: random.Random, pool: Sequence[Entity], count: int) -> list[Entity]:
    """`count` distinct entities, favouring the first ones (a few people appear in many claims)."""
    count = min(count, len(pool))
    chosen: list[Entity] = []
    while len(chosen) < count:
        candidate = pool[int(len(pool) * rng.random() ** 2)]
        if candidate not in chosen:
            chosen.append(candidate)
    return chosen


# --------------------------------------------------------------------------- claims


@dataclass
class ClaimContext:
    """What one claim is about; shared by its statement, sources and responses."""

    number: int
    status: str
    event_day: dt.date
    people: list[Entity]
    organisations: list[Entity]
    place: str
    slots: dict[str, Any]
    documents: list[Document]
    """Documents cited so far in the corpus (shared across claims)."""
    by_origin: dict[str, Publisher] = field(default_factory=dict)
    """The publisher chosen for each origin of this claim: sources of one origin share it."""
    families: set[str] = field(default_factory=set)
    """Publisher families already used in this claim: a new origin gets another family."""
    cited: set[str] = field(default_factory=set)
    """Shared documents this claim already cites (a claim cites each document once)."""


@dataclass(frozen=True)
class Document:
    """A document some claim cites: what another claim citing it repeats."""

    publisher: Publisher
    url: str
    title: str
    published: str
    """As written in the source (a date or `undated`)."""
    day: dt.date
    """The day the document appeared (accessed dates never precede it)."""


def plan_sources(rng: random.Random, status: str, count: int) -> list[tuple[str, str | None, str]]:
    """(relation, required kind or None, origin) for each source, shaped to fit the status."""
    origins = rng.sample(ORIGINS, 4)
    plan: list[tuple[str, str | None, str]] = [("supports", None, origins[0])]
    if status == "confirmed" and rng.random() < 0.5:
        plan = [("supports", rng.choice(list(PRIMARY_BASIS)), origins[0])]
    elif status in ("corroborated", "confirmed"):
        plan.append(("supports", None, origins[1]))
    elif status == "disputed":
        plan.append(("contradicts", None, origins[1]))
    elif status == "misleading":
        plan.append(("context", None, origins[1]))
    elif status == "false":
        plan.append(("contradicts", rng.choice(list(PRIMARY_BASIS)), origins[1]))
    while len(plan) < count:
        if status == "alleged":  # more reports of the same origin: still not independent
            plan.append((rng.choice(["supports", "context", "response"]), None, origins[0]))
        else:
            relation = rng.choice(["supports", "context", "response", "contradicts"])
            if status in ("confirmed", "corroborated") and relation == "contradicts":
                relation = "context"
            # supporting and contradicting origins never mix, so a dispute stays independent
            pool = {"supports": origins[0::2], "contradicts": origins[1::2]}.get(relation, origins)
            plan.append((relation, None, rng.choice(pool)))
    return plan


def make_source(
    rng: random.Random, ctx: ClaimContext, index: int, relation: str, kind: str | None, origin: str, note_words: int
) -> dict[str, Any]:
    """One source dict, fields in schema order."""
    publisher = pick_publisher(rng, ctx, kind, origin)
    language = publisher.language
    shared = [d for d in ctx.documents if d.publisher == publisher and d.url not in ctx.cited]
    if shared and rng.random() < SHARED_DOCUMENT_RATE * 4:
        document = rng.choice(shared)
        ctx.cited.add(document.url)
        url = rng.choice(URL_VARIANTS).format(url=document.url)
        title, written_date, published = document.title, document.published, document.day
    else:
        published = day_between(rng, ctx.event_day, ctx.event_day + dt.timedelta(days=500))
        url = f"https://{publisher.host}/{published.year}/{published.month:02d}/report-{ctx.number}-{index}"
        person = rng.choice(ctx.people)
        if language == "en":
            title = f"{person.name}: {rng.choice(SOURCE_TITLE_PHRASES['en'])}"
        else:
            title = f"{getattr(person, language)}: {rng.choice(SOURCE_TITLE_PHRASES[language])}"
        written_date = "undated" if rng.random() < 0.03 else write_date(published, random_precision(rng))
        if rng.random() < SHARED_DOCUMENT_RATE:
            ctx.documents.append(Document(publisher, url, title, written_date, published))
            ctx.cited.add(url)
    accessed = day_between(rng, published, published + dt.timedelta(days=365))
    named = publisher.id if rng.random() < 0.6 else publisher.native
    source: dict[str, Any] = {"id": f"s{index}", "url": url, "title": title, "publisher": named}
    if rng.random() < 0.4:
        source["author"] = rng.choice(AUTHORS)
    source["published"] = written_date
    source.update(
        {
            "accessed": accessed.isoformat(),
            "language": language,
            "kind": publisher.kind,
            "relation": relation,
            "origin": origin,
        }
    )
    # Sources a confirmed or false verdict rests on always have an archived copy (verdict-needs-capture).
    evidence = ctx.status in ("confirmed", "false") and relation in ("supports", "contradicts")
    if rng.random() < 0.6 or evidence:
        archived = day_between(rng, published, accessed)
        source["archive_url"] = f"https://archive.example.org/web/{archived:%Y%m%d}000000/{url}"
        source["archive_date"] = archived.isoformat()
    if rng.random() < 0.5:
        quote, translation = rng.choice(QUOTES[language])
        source["quote"] = quote
        if translation:
            source["quote_en"] = translation
    source["note"] = exact_words(rng, NOTE_SENTENCES, ctx.slots, note_words)
    return source


def pick_publisher(rng: random.Random, ctx: ClaimContext, kind: str | None, origin: str) -> Publisher:
    """The publisher of a source: the one its origin already has, else one of a family this claim
    has not used yet (so that sources of different origins stay independent)."""
    chosen = ctx.by_origin.get(origin)
    if chosen is not None and kind in (None, chosen.kind):
        return chosen
    candidates = [p for p in PUBLISHERS if p.kind == kind] if kind else SECONDARY_PUBLISHERS
    fresh = [p for p in candidates if FAMILY[p.id] not in ctx.families] or candidates
    chosen = rng.choice(fresh)
    ctx.by_origin.setdefault(origin, chosen)
    ctx.families.add(FAMILY[chosen.id])
    return chosen


def make_history(rng: random.Random, status: str, event_day: dt.date) -> list[dict[str, str]]:
    """Status decisions oldest first, ending with the current status; dates never go backwards."""
    path = ["alleged"]
    if rng.random() < 0.4:
        path.append(rng.choice(list(STATUS_WEIGHTS)))
    path.append(status)
    path = [s for i, s in enumerate(path) if i == 0 or s != path[i - 1]]
    day = day_between(rng, event_day, event_day + dt.timedelta(days=60))
    history = []
    for position, entry_status in enumerate(path):
        if position:
            day = day_between(rng, day, day + dt.timedelta(days=400))
        note = "Claim added." if position == 0 else f"Status reviewed; now {entry_status}."
        history.append({"date": day.isoformat(), "status": entry_status, "note": note})
    return history


def make_responses(rng: random.Random, ctx: ClaimContext, sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Zero to two official replies, most citing one of the claim's sources by id."""
    responses = []
    for _ in range(rng.choices([0, 1, 2], weights=[50, 35, 15])[0]):
        actors = [*ctx.organisations, *ctx.people]
        by = rng.choice(actors).id if rng.random() < 0.8 else "A government spokesperson"
        response: dict[str, Any] = {
            "by": by,
            "date": day_between(rng, ctx.event_day, ctx.event_day + dt.timedelta(days=200)).isoformat(),
            "summary": rng.choice(
                [
                    "Called the reports fabricated; gave no details.",
                    "Said an internal review had found no violations.",
                    "Declined to comment while the investigation continues.",
                    "Confirmed the detentions but disputed the numbers.",
                ]
            ),
        }
        cited = [s["id"] for s in sources if s["relation"] == "response"] or [rng.choice(sources)["id"]]
        if rng.random() < 0.8:
            response["sources"] = cited[:1]
        responses.append(response)
    return responses


def make_related(rng: random.Random, number: int, count: int) -> list[dict[str, str]]:
    """Links to up to three other claims, mostly nearby ones (claims come in clusters)."""
    if count < 2:
        return []
    others: list[int] = []
    for _ in range(rng.choices([0, 1, 2, 3], weights=[40, 35, 15, 10])[0]):
        other = number + rng.randint(-20, 20) if rng.random() < 0.8 else rng.randint(1, count)
        other = (other - 1) % count + 1
        if other != number and other not in others:
            others.append(other)
    return [{"claim": claim_id(other), "relation": rng.choice(CLAIM_RELATIONS)} for other in others]


def make_claim(
    rng: random.Random,
    number: int,
    count: int,
    status: str,
    people: list[Entity],
    organisations: list[Entity],
    documents: list[Document],
) -> dict[str, Any]:
    """One valid claim dict, fields in schema order."""
    event_day = day_between(rng, FIRST_DAY, dt.date(2023, 6, 30))
    ctx_people = pick_skewed(rng, people, rng.choices([1, 2, 3], weights=[50, 35, 15])[0])
    ctx_orgs = pick_skewed(rng, organisations, rng.choices([0, 1, 2], weights=[20, 55, 25])[0])
    place = rng.choice(CITIES)[0]
    be_term, ru_term = rng.choice(CYRILLIC_TERMS)
    slots = {  # list values are chosen afresh for every sentence
        "person": [p.name for p in ctx_people],
        "org": [o.name for o in ctx_orgs] or ["the police", "the local authorities"],
        "place": place,
        "date": f"{event_day.day} {event_day:%B %Y}",
        "publisher": [p.name for p in rng.sample(PUBLISHERS, 2)],
        "num": rng.randint(12, 4000),
        "small": rng.randint(2, 30),
        "evidence": rng.sample(EVIDENCE, 2),
        "be_term": be_term,
        "ru_term": ru_term,
    }
    ctx = ClaimContext(number, status, event_day, ctx_people, ctx_orgs, place, slots, documents)
    events = EVENTS if ctx_orgs else [e for e in EVENTS if "{org}" not in e[0]]
    template, event_tags = rng.choice(events)
    title = template.format(person=ctx_people[0].name, org=(ctx_orgs or ctx_people)[0].name, place=place)
    total_words = rng.randint(100, 400)
    source_count = rng.randint(2, 6)
    statement_words = round(total_words * rng.uniform(0.45, 0.7))
    statement_words = min(statement_words, total_words - MIN_NOTE_WORDS * source_count)
    note_budget = split_budget(rng, total_words - statement_words, source_count, MIN_NOTE_WORDS)
    plan = plan_sources(rng, status, source_count)
    sources = [make_source(rng, ctx, i + 1, *step, note_budget[i]) for i, step in enumerate(plan)]

    # An alleged claim about people opens with its attribution (rule alleged-statement-attributed).
    opening = f"According to {rng.choice(PUBLISHERS).name}: " if status == "alleged" else ""
    statement = opening + exact_words(rng, STATEMENT_SENTENCES, slots, statement_words - len(opening.split()))
    claim: dict[str, Any] = {
        "title": title,
        "statement": statement,
        "status": status,
        "status_reason": STATUS_REASONS[status],
        "confidence": "high" if status == "confirmed" else rng.choice(["high", "medium", "medium", "low"]),
    }
    if status == "confirmed":
        primary = [s["kind"] for s in sources if s["relation"] == "supports" and s["kind"] in PRIMARY_BASIS]
        claim["basis"] = [PRIMARY_BASIS[primary[0]]] if primary else ["independent-sources"]
    flags = make_flags(rng, number, count)
    claim.update(flags)
    claim["date"] = write_date(event_day, random_precision(rng))
    claim["claimant"] = rng.choice(ctx_people).id if rng.random() < 0.7 else rng.choice(FREE_TEXT_ACTORS)
    claim["people"] = [p.id for p in ctx_people]
    if ctx_orgs:
        claim["organisations"] = [o.id for o in ctx_orgs]
    claim["places"] = [place]
    claim["tags"] = unique([*event_tags, *rng.sample(TAGS, rng.randint(0, 2))])
    claim["sources"] = sources
    responses = make_responses(rng, ctx, sources)
    if responses:
        claim["responses"] = responses
    related = make_related(rng, number, count)
    if related:
        claim["related"] = related
    claim["history"] = make_history(rng, status, event_day)
    if rng.random() < 0.02:
        claim["renamed_from"] = [f"synthetic-former-{number:05d}"]
    return claim


def make_flags(rng: random.Random, number: int, count: int) -> dict[str, Any]:
    """Occasional lifecycle overlays; a superseded claim names its successor."""
    roll = rng.random()
    if roll < 0.04:
        return {"flags": ["under_review"]}
    if roll < 0.05:
        return {"flags": ["retracted"]}
    if roll < 0.07 and count > 1:
        successor = number % count + 1
        return {"flags": ["superseded"], "superseded_by": claim_id(successor)}
    return {}


def pick_statuses(rng: random.Random, count: int) -> list[str]:
    """A status per claim: every status appears once early on, the rest follow the weights."""
    names, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    statuses = names[:count] + rng.choices(names, weights=weights, k=max(0, count - len(names)))
    rng.shuffle(statuses)
    return statuses


# --------------------------------------------------------------------------- corpus


def entity_counts(count: int) -> tuple[int, int]:
    """How many people and organisations a corpus of `count` claims shares (with minimums)."""
    return max(8, count // 20), max(5, count // 50)


def generate(count: int, seed: int = 0) -> dict[str, str]:
    """The whole corpus as {relative path: YAML text}; the same arguments give the same texts."""
    rng = random.Random(seed)
    people_count, organisation_count = entity_counts(count)
    people = make_people(rng, people_count)
    organisations = make_organisations(rng, organisation_count)
    files = {f"{ENTITY_FOLDER}/{e.id}.yaml": dump(e.data) for e in [*people, *organisations]}
    files.update({f"{ENTITY_FOLDER}/{p.id}.yaml": dump(publisher_entity(p)) for p in PUBLISHERS})
    files["tags.yaml"] = dump({tag: f"Synthetic topic: {tag.replace('-', ' ')}." for tag in sorted(TAGS)})
    documents: list[Document] = []
    for number, status in enumerate(pick_statuses(rng, count), start=1):
        claim = make_claim(rng, number, count, status, people, organisations, documents)
        files[f"{claim_id(number)}.yaml"] = dump(claim)
    return files


def write(count: int, out: Path | str, seed: int = 0) -> int:
    """Generate a corpus and write it under `out`; return the number of files written."""
    out = Path(out)
    (out / ENTITY_FOLDER).mkdir(parents=True, exist_ok=True)
    files = generate(count, seed)
    for relative, text in files.items():
        (out / relative).write_text(text, encoding="utf-8")
    return len(files)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: parse options, write the corpus, say what was written."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="Example: python -m claimsite.synth --count 1000 --out /tmp/corpus"
    )
    parser.add_argument("--count", type=int, required=True, help="number of claims to generate")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into (created if missing)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    written = write(args.count, args.out, args.seed)
    print(f"wrote {written} files ({args.count} claims, {written - args.count} entities) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
