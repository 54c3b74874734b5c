"""The names of the built-in templates' roles and anchor dates, in the four UI languages."""

from __future__ import annotations

T = dict[str, str]


def _t(en: str, nb: str, sv: str, fi: str) -> T:
    return {"en": en, "nb": nb, "sv": sv, "fi": fi}


ROLES: dict[str, T] = {
    "content": _t("Content strategist", "Innholdsstrateg", "Innehållsstrateg", "Sisältöstrategi"),
    "seo": _t("SEO strategist", "SEO-strateg", "SEO-strateg", "SEO-strategi"),
    "writer": _t("Blog writer", "Bloggskribent", "Bloggskribent", "Blogikirjoittaja"),
    "lead": _t("Marketing lead", "Markedsleder", "Marknadschef", "Markkinointipäällikkö"),
    "designer": _t("Graphic designer", "Grafisk designer", "Grafisk formgivare", "Graafinen suunnittelija"),
    "social": _t("Social media lead", "Ansvarlig for sosiale medier", "Ansvarig för sociala medier", "Somevastaava"),
    "editor": _t("Editor", "Redaktør", "Redaktör", "Toimittaja"),
    "pm": _t("Project manager", "Prosjektleder", "Projektledare", "Projektipäällikkö"),
    "account": _t("Account manager", "Kundeansvarlig", "Kundansvarig", "Asiakkuuspäällikkö"),
    "client": _t("Client contact", "Kontaktperson hos kunden", "Kontaktperson hos kunden", "Asiakkaan yhteyshenkilö"),
}
ANCHORS: dict[str, T] = {
    "publish": _t("Publish date", "Publiseringsdato", "Publiceringsdatum", "Julkaisupäivä"),
    "send": _t("Send date", "Utsendelsesdato", "Utskicksdatum", "Lähetyspäivä"),
    "launch": _t("Launch date", "Lanseringsdato", "Lanseringsdatum", "Julkaisupäivä"),
    "kickoff": _t("Kick-off date", "Oppstartsdato", "Startdatum", "Aloituspäivä"),
}
