"""Why an import's line is bad, in the page's language: the metrics service words its reasons in English
(services/metrics/imports/check.py, parse.py, observations/models.py); each is matched here and said again."""

from __future__ import annotations

import re

from frontend.backend import N_, Said

_Q = r"(?P<q>['\"])(?P<text>.*)(?P=q)"  # a repr() of the cell: 'lots', or "it's" when it holds a quote
REASONS = (
    (r"the KPI is missing", N_("The KPI is missing.")),
    (rf"no KPI named {_Q} in this workspace", N_("No KPI is called “%(text)s” in this workspace.")),
    (r"no KPI (?P<id>\d+) in this workspace", N_("There is no KPI %(id)s in this workspace.")),
    (rf"{_Q} is not a KPI id", N_("“%(text)s” is not a KPI number.")),
    (rf"KPI {_Q} is archived; restore it first", N_("The KPI “%(text)s” is archived. Restore it first.")),
    (r"the period is missing", N_("The period is missing.")),
    (rf"{_Q} is not a period: use day, week or month", N_("“%(text)s” is not a period: use day, week or month.")),
    (r"the period start date is missing", N_("The period start date is missing.")),
    (
        rf"{_Q} is not a date: use 2026-03-01 or 01.03.2026",
        N_("“%(text)s” is not a date: use 2026-03-01 or 01.03.2026."),
    ),
    (
        r"(?P<day>\d{4}-\d\d-\d\d) is outside (?P<first>\d+)–(?P<last>\d+)",
        N_("%(day)s lies outside the years %(first)s to %(last)s."),
    ),
    (r"a week starts on a Monday; (?P<day>[\d-]+) is a \w+", N_("A week starts on a Monday; %(day)s is not one.")),
    (r"a month starts on the 1st; (?P<day>[\d-]+) is not", N_("A month starts on the 1st; %(day)s is not.")),
    (r"the value is missing", N_("The value is missing.")),
    (rf"{_Q} is not a number", N_("“%(text)s” is not a number.")),
    (r"(?P<text>\S+) is beyond ±(?P<max>\S+)", N_("%(text)s is beyond the largest value Effekt keeps (±%(max)s).")),
    (rf"{_Q} is not a source: use (?P<sources>.*)", N_("“%(text)s” is not a source: use %(sources)s.")),
    (
        r"the same KPI, period, start and source as an earlier line",
        N_("The same KPI, period, start and source as an earlier line."),
    ),
)
PATTERNS = tuple((re.compile(pattern), message) for pattern, message in REASONS)
# A note's limit has a count: the template says it with plural forms ({% pluralize %}), so it is no N_ here.
NOTE_LIMIT = re.compile(r"a note has at most (?P<count>\d+) characters and no NUL")


def reason(text: str) -> Said:
    """The reason in words the template translates (unknown reasons are shown as the service gave them)."""
    for pattern, message in PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return Said(message, **{k: v for k, v in found.groupdict().items() if k != "q"})
    found = NOTE_LIMIT.fullmatch(text)
    if found:
        return Said("note_limit", count=int(found.group("count")))
    return Said("%(text)s", text=text)
