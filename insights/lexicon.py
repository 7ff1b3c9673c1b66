"""The sales-copy lexicon: phrases that make a proposal read as an advert, grouped by why.

Pure Python (no Django). Each rule is a case-insensitive regular expression over one sentence,
written narrowly so that ordinary research language does not fire: "state of the art",
"outperforms", "significantly better", "novel", "robust" and "powerful" are research claims a
reader can check against the numbers, so no rule matches them. Words that research abstracts
also use in a neutral sense ("seamlessly inserted into any layer", "effortlessly" in cognitive
science, "price" in finance papers) only fire in their marketing collocations.

The rules were checked against the ICLR 2017 abstracts in data/iclr2017 (none of the 490 fires
on a "state of the art"/"outperforms"/"significantly" sentence); docs/insights.md lists the
measured false-positive rate on held-out abstracts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    why: str
    instead: str


@dataclass(frozen=True)
class Rule:
    key: str
    category: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class LexiconHit:
    rule: str
    category: str
    start: int
    end: int
    phrase: str


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category(
            "superlative",
            "Unmeasured superlative",
            "Claims a rank (best, leading, first, unmatched) without saying what was compared, "
            "on which data, or by how much.",
            "Name the comparison and the number: 'F1 0.81 vs 0.74 for the strongest baseline'.",
        ),
        Category(
            "hype",
            "Hype word",
            "Tells the reader how to feel instead of what was done; the chairs read it as "
            "advertising.",
            "Say what changes, for whom, measured how.",
        ),
        Category(
            "product",
            "Product pitch",
            "Points at a product, its customers or its business value rather than at a method, "
            "data or result attendees can learn from.",
            "Name the method or system and describe what it does and how it was evaluated.",
        ),
        Category(
            "pricing",
            "Pricing or commercial terms",
            "Prices, plans, trials and discounts belong on a booth, not in an Expo proposal.",
            "Remove it; if access matters, say whether code or data are available.",
        ),
        Category(
            "call_to_action",
            "Call to action",
            "Asks the reader to contact you, sign up or book something; the Expo is a research "
            "programme, and chairs turn down proposals that read as sales.",
            "End with what attendees take away (code, data, a method they can apply).",
        ),
        Category(
            "reader_as_customer",
            "Addresses the reader as a customer",
            "Speaks to 'your business / your team' as a buyer; a research talk addresses "
            "colleagues and what they will learn.",
            "Write what attendees will learn or be able to do.",
        ),
    )
}


def _rule(key: str, category: str, pattern: str) -> Rule:
    assert category in CATEGORIES, category
    # No nested quantifiers anywhere: every rule runs in time linear in the sentence length.
    return Rule(key, category, re.compile(pattern, re.IGNORECASE))


_YOUR = r"your|our"
_BUSINESS_NOUNS = (
    r"business(?:es)?|company|companies|team|teams|organi[sz]ations?|enterprise|bottom line|"
    r"workflows?|customers|clients|users|stack|roi"
)

RULES: tuple[Rule, ...] = (
    # Unmeasured superlatives.
    _rule("industry-leading", "superlative", r"\b(?:industry|market|world)[- ]lead(?:ing|er)\b"),
    _rule(
        "best-in-class", "superlative", r"\bbest[- ]in[- ](?:class|breed)\b|\bbest[- ]of[- ]breed\b"
    ),
    _rule("world-class", "superlative", r"\bworld[- ]class\b"),
    _rule("world's first", "superlative", r"\bworld['’]?s (?:first|best|fastest|leading|most)\b"),
    _rule(
        "unmatched",
        "superlative",
        r"\b(?:unmatched|unparall?ell?ed|unrivall?ed|unbeatable|second to none|"
        r"like never before|in a league of (?:its|their) own)\b",
    ),
    _rule(
        "leading provider",
        "superlative",
        r"\b(?:leading|premier|foremost|number[- ]one|no\. ?1|#1) "
        r"(?:provider|vendor|platform|solution|company|supplier|partner)\b",
    ),
    _rule("ultimate solution", "superlative", r"\bthe ultimate (?:solution|platform|tool|way)\b"),
    # Hype words.
    _rule(
        "revolutionary",
        "hype",
        r"\brevolutionary\b|\brevolutioni[sz]es? (?:the way|how|your)\b",
    ),
    _rule("game-changing", "hype", r"\bgame[- ]chang(?:ing|er|ers)\b"),
    _rule(
        "disruptive",
        "hype",
        r"\bdisruptive (?:innovation|technology|solution|platform|force)\b|"
        r"\bdisrupt(?:s|ing)? (?:the|your) (?:\w+ )?(?:industry|market)\b",
    ),
    _rule(
        "seamless",
        "hype",
        r"\b(?:seamless(?:ly)?|effortless(?:ly)?|frictionless(?:ly)?) "
        r"(?:integrat\w*|experience|onboarding|deploy\w*|scal\w*|workflow|migration|setup)\b|"
        r"\bintegrates? seamlessly\b",
    ),
    _rule("turnkey", "hype", r"\bturn[- ]?key\b|\bplug[- ]and[- ]play solution\b"),
    _rule("cutting-edge", "hype", r"\b(?:cutting|bleeding)[- ]edge\b"),
    _rule(
        "next-generation", "hype", r"\bnext[- ]gen(?:eration)? (?:platform|solution|product|ai)\b"
    ),
    _rule(
        "unlock the power",
        "hype",
        r"\bunlock(?:s|ing)? (?:the )?(?:full |true |hidden )?(?:power|potential|value)\b",
    ),
    _rule("supercharge", "hype", r"\bsupercharg(?:e|es|ed|ing)\b|\bturbocharg(?:e|es|ed|ing)\b"),
    _rule(
        "lightning-fast", "hype", r"\b(?:lightning|blazing(?:ly)?)[- ]fast\b|\bat the speed of\b"
    ),
    _rule("next level", "hype", r"\bto the next level\b"),
    _rule("empower", "hype", rf"\bempower(?:s|ing)? (?:{_YOUR}|every|teams|businesses)\b"),
    _rule("magic", "hype", r"\b(?:works like magic|magically|magical (?:experience|results?))\b"),
    # Product pitch.
    _rule(
        "our product or customers",
        "product",
        r"\bour (?:platform|products?|offerings?|suite|saas|flagship|customers|clients|"
        r"partners' success|award[- ]winning)\b"
        # "our product search", "our platform team": a group or a system being studied.
        r"(?! (?:team|teams|group|groups|engineers|search|managers?|data|logs)\b)",
    ),
    _rule(
        "enterprise-grade",
        "product",
        r"\benterprise[- ](?:grade|ready|class)\b|\bproduction[- ]ready platform\b",
    ),
    _rule(
        "trusted by",
        "product",
        r"\b(?:trusted|loved|chosen) by (?:over |more than )?(?:\d[\d,.]*\+? |thousands |"
        r"hundreds |millions |leading |top |fortune)|\bfortune 500\b",
    ),
    _rule(
        "business value",
        "product",
        r"\b(?:return on investment|business value|competitive (?:edge|advantage)|"
        r"drive (?:growth|revenue|sales)|boost (?:revenue|sales|productivity|conversions?)|"
        r"total cost of ownership|cut(?:s|ting)? costs)\b",
    ),
    _rule("award-winning", "product", r"\baward[- ]winning\b"),
    # Pricing and commercial terms.
    _rule(
        "pricing plan",
        "pricing",
        r"\b(?:pricing (?:plans?|tiers?|page)|our pricing|price list|per (?:seat|licen[cs]e)|"
        r"per (?:user|month|year) (?:per|billed|plan|pricing|subscription)|"
        r"billed (?:monthly|annually|yearly)|subscription (?:plans?|tiers?|fees?))\b|"
        r"/(?:month|mo|seat|user)\b",
    ),
    _rule(
        "free trial",
        "pricing",
        r"\bfree (?:trial|tier|plan|demo|consultation)\b|\bmoney[- ]back\b|"
        r"\b(?:special|limited[- ]time|exclusive) (?:offer|deal|pricing|discount)\b|"
        r"\bdiscount(?:ed)? (?:code|price|rate|for)\b|\b\d+% off\b",
    ),
    _rule("licence fee", "pricing", r"\blicen[cs](?:e|ing) (?:fees?|costs?)\b"),
    # The lookahead keeps LaTeX maths in abstracts ("$2$-layer", "$1/\sqrt{n}$",
    # "$2 \times 2$") from firing.
    _rule(
        "price amount",
        "pricing",
        r"[$€£¥] ?\d{1,3}(?:[,.]\d{3})*(?:\.\d{2})?(?: ?(?:k|m|million|billion))?"
        r"(?![\w$^_{}/\\]| ?[\\$^_{}=+*/<>])|"
        r"\b\d[\d,.]* ?(?:usd|eur|gbp)\b",
    ),
    # Calls to action.
    _rule(
        "contact us",
        "call_to_action",
        r"\b(?:contact|call|email|e-mail|message|ping|dm) (?:us|our (?:sales|team))\b|"
        r"\breach out to (?:us|our)\b|\bsales@|\bget in touch\b",
    ),
    _rule(
        "book a demo",
        "call_to_action",
        r"\b(?:book|request|schedule|reserve|claim|get) (?:a|your) (?:free |personal(?:i[sz]ed)? |"
        r"live )?(?:demo|call|meeting|consultation|trial|quote|spot)\b",
    ),
    _rule(
        "sign up",
        "call_to_action",
        r"\bsign(?:ing)? up (?:now|today|for (?:free|a|our|your))\b|"
        r"\b(?:register|subscribe|join|buy|order|start) (?:now|today)\b|"
        r"\bget started (?:now|today|for free|in minutes)\b",
    ),
    _rule(
        "visit our booth",
        "call_to_action",
        r"\b(?:visit|stop by|come (?:to|by)|drop by|find us at) (?:our|the \w+) (?:booth|stand)\b|"
        r"\bvisit (?:us|our website)\b",
    ),
    _rule(
        "don't miss",
        "call_to_action",
        r"\bdon['’]?t miss\b|\bact now\b|\bwhile (?:spots|seats|stocks?) last\b|"
        r"\bhurry\b|\bseats are limited\b",
    ),
    _rule(
        "learn more at",
        "call_to_action",
        r"\b(?:learn|find out|read) more (?:at|on our)\b|"
        r"\btry (?:it|\w+) (?:free|for free|today|now)\b",
    ),
    # The reader as a customer.
    _rule("your business", "reader_as_customer", rf"\byour (?:{_BUSINESS_NOUNS})\b"),
    _rule(
        "you'll wonder",
        "reader_as_customer",
        r"\byou['’]ll (?:wonder|love|never)\b|\bwhy wait\b|\bimagine (?:a world|if your)\b",
    ),
)

RULES_BY_KEY: dict[str, Rule] = {rule.key: rule for rule in RULES}
assert len(RULES_BY_KEY) == len(RULES), "lexicon rule keys must be unique"


def lexicon_hits(sentence: str) -> list[LexiconHit]:
    """Every rule that fires on ``sentence``, in order of position; overlapping hits are kept."""
    hits = []
    for rule in RULES:
        for match in rule.pattern.finditer(sentence):
            if match.end() > match.start():
                hits.append(
                    LexiconHit(
                        rule=rule.key,
                        category=rule.category,
                        start=match.start(),
                        end=match.end(),
                        phrase=match.group(0),
                    )
                )
    hits.sort(key=lambda h: (h.start, -h.end))
    return hits
