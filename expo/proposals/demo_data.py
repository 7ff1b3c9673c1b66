"""Demo data for `manage.py seed_demo`: fictional sponsors, real proposal text.

Proposal titles and abstracts are real ICLR 2017 submissions (data/iclr2017, see its NOTICE);
organisations, people and e-mail addresses are invented (the .example domain is reserved).
The past edition's accept/reject decisions are those ICLR 2017 took on the same papers.
"""

import ast
import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ICLR_SUBMISSIONS = Path(settings.BASE_DIR) / "data" / "iclr2017" / "submissions.csv"

TOPICS: tuple[tuple[str, str], ...] = (
    ("Deep learning", "Architectures, training and analysis of deep neural networks."),
    ("Natural language processing", "Language models, translation, dialogue, text understanding."),
    (
        "Computer vision",
        "Recognition, detection, generation and understanding of images and video.",
    ),
    ("Reinforcement learning", "Sequential decision making, control, planning and games."),
    ("Unsupervised learning", "Generative models, representation and density learning."),
    ("Supervised learning", "Classification and regression from labelled data."),
    ("Semi-supervised learning", "Learning from few labels and much unlabelled data."),
    ("Transfer learning", "Reusing models across tasks, domains and modalities."),
    ("Optimization", "Training algorithms, convergence, scaling and efficiency."),
    ("Theory", "Generalisation, expressivity and statistical foundations."),
    ("Structured prediction", "Outputs with structure: sequences, graphs, programs."),
    ("Applications", "Speech, health, science, games and multi-modal systems in practice."),
)
# ICLR keywords that are not topics of their own map to the closest one.
KEYWORD_TO_TOPIC = {
    "Speech": "Applications",
    "Games": "Reinforcement learning",
    "Multi-modal learning": "Applications",
}

ORGANISATIONS: tuple[tuple[str, str, str, str], ...] = (
    # name, tier, size band, region
    ("Northwind Robotics", "platinum", "10000+", "north_america"),
    ("Helix Analytics", "platinum", "10000+", "europe"),
    ("Sakura Vision Systems", "platinum", "10000+", "asia"),
    ("Meridian Cloud", "platinum", "1000-9999", "north_america"),
    ("Blue Fjord AI", "gold", "1000-9999", "europe"),
    ("Quanta Retail Labs", "gold", "10000+", "north_america"),
    ("Kestrel Autonomy", "gold", "1000-9999", "north_america"),
    ("Lumen Health Research", "gold", "1000-9999", "europe"),
    ("Pacifica Speech", "gold", "250-999", "asia"),
    ("Andes Data Works", "gold", "1000-9999", "latin_america"),
    ("Savanna Compute", "gold", "250-999", "middle_east_africa"),
    ("Coral Sea Analytics", "gold", "1000-9999", "oceania"),
    ("Tessellate Graphics", "silver", "250-999", "europe"),
    ("Ironbark Systems", "silver", "250-999", "oceania"),
    ("Orchid Language Technologies", "silver", "250-999", "asia"),
    ("Granite Insurance Data", "silver", "1000-9999", "north_america"),
    ("Nilometer Labs", "silver", "50-249", "middle_east_africa"),
    ("Polder Logistics AI", "silver", "250-999", "europe"),
    ("Condor Mapping", "silver", "250-999", "latin_america"),
    ("Monsoon Fintech", "silver", "1000-9999", "asia"),
    ("Aurora Energy Learning", "silver", "250-999", "europe"),
    ("Cedar Biotech Models", "silver", "50-249", "north_america"),
    ("Baobab Agritech", "bronze", "50-249", "middle_east_africa"),
    ("Tundra Sensors", "bronze", "50-249", "europe"),
    ("Pampas Mobility", "bronze", "250-999", "latin_america"),
    ("Kiwi Vision Works", "bronze", "50-249", "oceania"),
    ("Jade Recommendation Labs", "bronze", "250-999", "asia"),
    ("Prairie Legal AI", "bronze", "50-249", "north_america"),
    ("Atlas Manufacturing Intelligence", "bronze", "1000-9999", "europe"),
    ("Oasis Climate Models", "bronze", "50-249", "middle_east_africa"),
    ("Pixel Forge", "startup", "1-49", "europe"),
    ("Sparrow Speech", "startup", "1-49", "north_america"),
    ("Mangrove Graph AI", "startup", "1-49", "asia"),
    ("Quokka Labs", "startup", "1-49", "oceania"),
    ("Lattice Proofs", "startup", "1-49", "europe"),
    ("Ceiba Genomics AI", "startup", "1-49", "latin_america"),
    ("Harmattan Robotics", "startup", "1-49", "middle_east_africa"),
    ("Delta Tabular", "startup", "50-249", "north_america"),
    ("Fjordline Compression", "startup", "1-49", "europe"),
    ("Ember Reasoning", "startup", "1-49", "asia"),
)

FIRST_NAMES = (
    "Ada",
    "Bilal",
    "Chen",
    "Dara",
    "Elena",
    "Femi",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Luis",
    "Mariam",
    "Nikolai",
    "Olu",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Valentina",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zofia",
)
LAST_NAMES = (
    "Okafor",
    "Lindqvist",
    "Tanaka",
    "Moreau",
    "Haddad",
    "Kowalski",
    "Ferreira",
    "Nguyen",
    "Schmidt",
    "Mensah",
    "Rossi",
    "Patel",
    "Ivanova",
    "García",
    "O'Neill",
    "Kim",
    "Abebe",
    "Novak",
    "Sato",
    "Dubois",
)


@dataclass(frozen=True)
class DemoPaper:
    pid: str
    title: str
    abstract: str
    topics: tuple[str, ...]
    accepted: bool


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def papers() -> list[DemoPaper]:
    """ICLR 2017 submissions with a usable title and abstract, in a stable order."""
    topic_names = {name for name, _ in TOPICS}
    result = []
    with ICLR_SUBMISSIONS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            title, abstract = _clean(row["Title"]), _clean(row["Abstract"])
            if not title or len(abstract) < 200:
                continue
            try:
                keywords = ast.literal_eval(row["Keyword"] or "[]")
            except (ValueError, SyntaxError):
                keywords = []
            topics = []
            for keyword in keywords:
                name = KEYWORD_TO_TOPIC.get(keyword, keyword)
                name = name[0] + name[1:].lower() if name not in topic_names else name
                if name in topic_names and name not in topics:
                    topics.append(name)
            result.append(
                DemoPaper(
                    pid=row["PID"],
                    title=title[:200],
                    abstract=abstract[:3000],
                    topics=tuple(topics or ["Deep learning"]),
                    accepted=row["Decision"] in {"1", "2"},
                )
            )
    return sorted(result, key=lambda p: p.pid)


def outline_from_abstract(abstract: str, *, workshop: bool) -> str:
    """An agenda built from the abstract's own sentences (so the demo has no invented claims)."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", abstract) if len(s.strip()) > 20]
    head = sentences[:1] or [abstract[:200]]
    middle = sentences[1:-1] or head
    tail = sentences[-1:] or head
    items = [
        f"Problem and motivation: {head[0]}",
        f"Method: {middle[0]}",
        f"Results and live demo: {tail[0]}",
    ]
    if workshop:
        items = [
            "Prerequisites: Python, basic deep learning; bring a laptop.",
            *items,
            "Hands-on session: reproduce the main experiment in a notebook.",
        ]
    items.append("Questions and discussion.")
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, start=1))
