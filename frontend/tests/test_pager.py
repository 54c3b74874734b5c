"""The one pager every paged list uses: links to the pages around, htmx swaps when given a target."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader

from frontend.templating import TEMPLATES

PAGE = (
    '{% from "_pager.html" import pager with context %}{% macro url(n) %}/kpis?page={{ n }}{% endmacro %}'
    "{{ pager(page, pages, url, target=target) }}"
)


def render(page: int, pages: int, target: str | None = None) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)
    return env.from_string(PAGE).render(page=page, pages=pages, target=target)


def test_the_middle_page_links_both_ways_and_swaps_its_region():
    html = render(2, 3, target="kpi_list")
    assert 'rel="prev" href="/kpis?page=1"' in html and 'rel="next" href="/kpis?page=3"' in html
    assert "Page 2 of 3" in html and 'hx-target="#kpi_list"' in html and 'hx-push-url="true"' in html


def test_the_ends_link_one_way_and_a_single_page_has_no_pager():
    assert 'rel="prev"' not in render(1, 3) and 'rel="next"' in render(1, 3)
    assert 'rel="next"' not in render(3, 3) and "hx-get" not in render(3, 3)
    assert render(1, 1).strip() == ""
