"""Built-in workflow templates from the seed's recurring work, in the four UI languages (en, nb, sv, fi).

Titles are data, not UI strings: a template copied into a workspace is the workspace's text from then on."""

from __future__ import annotations

from typing import Any

from services.tasks.workflows.builtin_names import ANCHORS, ROLES, T, _t

LANGUAGES = ("en", "nb", "sv", "fi")
# key, role, anchor, offset, duration, depends_on, approval (approver roles, required) or None, title
Step = tuple[str, str, str, int, int, list[str], tuple[list[str], int] | None, T]

BLOG: list[Step] = [
    (
        "idea",
        "content",
        "publish",
        -30,
        3,
        [],
        None,
        _t("Generate the idea", "Finn ideen", "Ta fram idén", "Ideoi aihe"),
    ),
    (
        "keywords",
        "seo",
        "publish",
        -25,
        2,
        ["idea"],
        None,
        _t("Keyword research", "Søkeordsanalyse", "Sökordsanalys", "Avainsanatutkimus"),
    ),
    (
        "outline",
        "writer",
        "publish",
        -20,
        3,
        ["keywords"],
        None,
        _t("Write the outline", "Skriv disposisjonen", "Skriv dispositionen", "Kirjoita runko"),
    ),
    (
        "approve-outline",
        "seo",
        "publish",
        -15,
        2,
        ["outline"],
        (["seo", "lead"], 2),
        _t("Approve the outline", "Godkjenn disposisjonen", "Godkänn dispositionen", "Hyväksy runko"),
    ),
    (
        "draft",
        "writer",
        "publish",
        -10,
        4,
        ["approve-outline"],
        None,
        _t("Final draft", "Endelig utkast", "Slutgiltigt utkast", "Lopullinen luonnos"),
    ),
    (
        "images",
        "designer",
        "publish",
        -5,
        3,
        ["draft"],
        None,
        _t("Images or infographics", "Bilder eller infografikk", "Bilder eller infografik", "Kuvat tai infografiikka"),
    ),
    (
        "social",
        "social",
        "publish",
        -4,
        1,
        ["images"],
        None,
        _t(
            "Plan the social campaign",
            "Planlegg kampanjen i sosiale medier",
            "Planera kampanjen i sociala medier",
            "Suunnittele somekampanja",
        ),
    ),
    (
        "publish",
        "writer",
        "publish",
        0,
        1,
        ["social"],
        None,
        _t(
            "Publish and check the live post",
            "Publiser og sjekk innlegget",
            "Publicera och kontrollera inlägget",
            "Julkaise ja tarkista julkaistu kirjoitus",
        ),
    ),
]
NEWSLETTER: list[Step] = [
    (
        "topics",
        "content",
        "send",
        -10,
        2,
        [],
        None,
        _t("Choose the topics", "Velg temaene", "Välj ämnena", "Valitse aiheet"),
    ),
    (
        "copy",
        "writer",
        "send",
        -6,
        3,
        ["topics"],
        None,
        _t("Write the copy", "Skriv teksten", "Skriv texten", "Kirjoita teksti"),
    ),
    (
        "design",
        "designer",
        "send",
        -4,
        2,
        ["copy"],
        None,
        _t("Lay out the issue", "Sett opp utgaven", "Formge numret", "Taita numero"),
    ),
    (
        "approve",
        "editor",
        "send",
        -2,
        1,
        ["design"],
        (["editor"], 1),
        _t("Approve the issue", "Godkjenn utgaven", "Godkänn numret", "Hyväksy numero"),
    ),
    (
        "send",
        "editor",
        "send",
        0,
        1,
        ["approve"],
        None,
        _t(
            "Send and check the test mail",
            "Send og sjekk testutsendelsen",
            "Skicka och kontrollera testutskicket",
            "Lähetä ja tarkista testiviesti",
        ),
    ),
]
LAUNCH: list[Step] = [
    (
        "brief",
        "pm",
        "launch",
        -40,
        3,
        [],
        None,
        _t("Write the launch brief", "Skriv lanseringsbriefen", "Skriv lanseringsbriefen", "Kirjoita julkaisubriiffi"),
    ),
    (
        "messaging",
        "content",
        "launch",
        -30,
        5,
        ["brief"],
        None,
        _t(
            "Messaging and positioning", "Budskap og posisjonering", "Budskap och positionering", "Viestit ja asemointi"
        ),
    ),
    (
        "approve-messaging",
        "lead",
        "launch",
        -25,
        2,
        ["messaging"],
        (["lead"], 1),
        _t("Approve the messaging", "Godkjenn budskapet", "Godkänn budskapet", "Hyväksy viestit"),
    ),
    (
        "assets",
        "designer",
        "launch",
        -15,
        8,
        ["approve-messaging"],
        None,
        _t("Campaign assets", "Kampanjemateriell", "Kampanjmaterial", "Kampanjamateriaalit"),
    ),
    (
        "landing",
        "writer",
        "launch",
        -10,
        5,
        ["approve-messaging"],
        None,
        _t("Landing page", "Landingsside", "Landningssida", "Laskeutumissivu"),
    ),
    (
        "channels",
        "social",
        "launch",
        -5,
        3,
        ["assets", "landing"],
        None,
        _t("Schedule the channels", "Planlegg kanalene", "Schemalägg kanalerna", "Ajasta kanavat"),
    ),
    ("go-live", "pm", "launch", 0, 1, ["channels"], None, _t("Go live", "Gå live", "Gå live", "Julkaise")),
    (
        "review",
        "lead",
        "launch",
        10,
        2,
        ["go-live"],
        None,
        _t(
            "Review the first results",
            "Gå gjennom de første resultatene",
            "Gå igenom de första resultaten",
            "Käy läpi ensimmäiset tulokset",
        ),
    ),
]
ONBOARDING: list[Step] = [
    (
        "contract",
        "account",
        "kickoff",
        -5,
        2,
        [],
        None,
        _t("Contract and access", "Kontrakt og tilganger", "Avtal och behörigheter", "Sopimus ja käyttöoikeudet"),
    ),
    (
        "kickoff",
        "account",
        "kickoff",
        0,
        1,
        ["contract"],
        None,
        _t("Kick-off meeting", "Oppstartsmøte", "Startmöte", "Aloituspalaveri"),
    ),
    (
        "audit",
        "content",
        "kickoff",
        5,
        4,
        ["kickoff"],
        None,
        _t(
            "Audit the client's channels",
            "Gå gjennom kundens kanaler",
            "Granska kundens kanaler",
            "Kartoita asiakkaan kanavat",
        ),
    ),
    (
        "plan",
        "pm",
        "kickoff",
        10,
        3,
        ["audit"],
        None,
        _t(
            "First quarter's plan",
            "Plan for første kvartal",
            "Plan för första kvartalet",
            "Ensimmäisen neljänneksen suunnitelma",
        ),
    ),
    (
        "approve-plan",
        "client",
        "kickoff",
        15,
        3,
        ["plan"],
        (["client", "account"], 2),
        _t(
            "Client approves the plan",
            "Kunden godkjenner planen",
            "Kunden godkänner planen",
            "Asiakas hyväksyy suunnitelman",
        ),
    ),
]

BUILTINS: dict[str, dict[str, Any]] = {
    "blog-post": {
        "name": _t("Blog post", "Blogginnlegg", "Blogginlägg", "Blogikirjoitus"),
        "description": _t(
            "From the idea to the live post, planned back from the publish date.",
            "Fra idé til publisert innlegg, planlagt bakover fra publiseringsdatoen.",
            "Från idé till publicerat inlägg, planerat bakåt från publiceringsdatumet.",
            "Ideasta julkaistuun kirjoitukseen, suunniteltu taaksepäin julkaisupäivästä.",
        ),
        "anchor": "publish",
        "day_kind": "calendar",
        "steps": BLOG,
    },
    "newsletter": {
        "name": _t("Newsletter issue", "Nyhetsbrevutgave", "Nyhetsbrevsnummer", "Uutiskirjeen numero"),
        "description": _t(
            "One issue of the newsletter, from topics to the send.",
            "Én utgave av nyhetsbrevet, fra temaer til utsendelse.",
            "Ett nummer av nyhetsbrevet, från ämnen till utskick.",
            "Yksi uutiskirjeen numero aiheista lähetykseen.",
        ),
        "anchor": "send",
        "day_kind": "working",
        "steps": NEWSLETTER,
    },
    "launch": {
        "name": _t(
            "Campaign or product launch",
            "Kampanje- eller produktlansering",
            "Kampanj- eller produktlansering",
            "Kampanjan tai tuotteen lanseeraus",
        ),
        "description": _t(
            "Brief, messaging, assets and channels up to the launch date, and a review after it.",
            "Brief, budskap, materiell og kanaler fram til lanseringen, og en gjennomgang etterpå.",
            "Brief, budskap, material och kanaler fram till lanseringen, och en genomgång efteråt.",
            "Briiffi, viestit, materiaalit ja kanavat lanseeraukseen asti, ja katsaus sen jälkeen.",
        ),
        "anchor": "launch",
        "day_kind": "working",
        "steps": LAUNCH,
    },
    "client-onboarding": {
        "name": _t("Client onboarding", "Kundeoppstart", "Kunduppstart", "Asiakkaan perehdytys"),
        "description": _t(
            "An agency's first weeks with a new client, around the kick-off.",
            "Et byrås første uker med en ny kunde, rundt oppstartsmøtet.",
            "En byrås första veckor med en ny kund, kring startmötet.",
            "Toimiston ensimmäiset viikot uuden asiakkaan kanssa aloituspalaverin ympärillä.",
        ),
        "anchor": "kickoff",
        "day_kind": "working",
        "steps": ONBOARDING,
    },
}


def definition(key: str, language: str = "en") -> dict[str, Any]:
    """The built-in's definition in one language (unknown languages fall back to English)."""
    lang = language if language in LANGUAGES else "en"
    spec = BUILTINS[key]
    steps = spec["steps"]
    roles = sorted({s[1] for s in steps} | {r for s in steps if s[6] for r in s[6][0]}, key=list(ROLES).index)
    return {
        "anchors": [{"key": spec["anchor"], "name": ANCHORS[spec["anchor"]][lang], "hard": True}],
        "roles": [{"key": r, "name": ROLES[r][lang]} for r in roles],
        "steps": [
            {
                "key": key_,
                "title": title[lang],
                "role": role,
                "anchor": anchor,
                "offset_days": offset,
                "day_kind": spec["day_kind"],
                "duration_days": duration,
                "depends_on": deps,
                "approval": {"approver_roles": approval[0], "required": approval[1]} if approval else None,
            }
            for key_, role, anchor, offset, duration, deps, approval, title in steps
        ],
    }


def summary(key: str, language: str = "en") -> dict[str, str]:
    lang = language if language in LANGUAGES else "en"
    return {"key": key, "name": BUILTINS[key]["name"][lang], "description": BUILTINS[key]["description"][lang]}
