"""The survey message: text and HTML, one `mailto:` link per score.

Each link opens a ready-made reply whose subject carries the score and the request's reply
code. There is no web link on purpose: mail scanners (Safe Links, Proofpoint, Mimecast) open
every link in a message on delivery, and a link that answered would record the scanner's
"answer"; they do not send mail.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
from urllib.parse import quote

from tinycrm.services.surveys import SurveySettings, Target
from tinycrm.textsafe import without_controls
from tinycrm.vocabulary import SCALE_RANGE, Scale

if TYPE_CHECKING:
    from email.message import EmailMessage

_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "subject": "{shop}: how did we do?",
        "hello": "Hello {name},",
        "csat": "How satisfied are you with {shop}? 1 means not at all, 5 very satisfied.",
        "nps": (
            "How likely are you to recommend {shop} to a friend or colleague? 0 means not at"
            " all likely, 10 extremely likely."
        ),
        "click": "Choose your answer: each link opens a ready-made reply, you only press Send.",
        "or": "Or just reply to this message with a number on the first line.",
        "comment": "A comment below the number is welcome.",
        "stop": 'To get no more surveys from us, reply "stop".',
        "thanks": "Thank you!",
        "answer": "Answer",
    },
    "de": {
        "subject": "{shop}: Wie zufrieden sind Sie?",
        "hello": "Hallo {name},",
        "csat": "Wie zufrieden sind Sie mit {shop}? 1 heißt gar nicht, 5 sehr zufrieden.",
        "nps": (
            "Wie wahrscheinlich ist es, dass Sie {shop} einem Freund oder Kollegen empfehlen?"
            " 0 heißt sehr unwahrscheinlich, 10 sehr wahrscheinlich."
        ),
        "click": (
            "Wählen Sie Ihre Antwort: jeder Link öffnet eine fertige Antwort, Sie drücken nur"
            " auf Senden."
        ),
        "or": "Oder antworten Sie einfach mit einer Zahl in der ersten Zeile.",
        "comment": "Ein Kommentar unter der Zahl ist willkommen.",
        "stop": 'Wenn Sie keine Umfragen mehr möchten, antworten Sie mit "stop".',
        "thanks": "Vielen Dank!",
        "answer": "Antwort",
    },
    "fr": {
        "subject": "{shop} : êtes-vous satisfait ?",
        "hello": "Bonjour {name},",
        "csat": (
            "Quelle est votre satisfaction envers {shop} ? 1 signifie pas du tout satisfait,"
            " 5 très satisfait."
        ),
        "nps": (
            "Quelle est la probabilité que vous recommandiez {shop} à un ami ou un collègue ?"
            " 0 signifie pas du tout probable, 10 très probable."
        ),
        "click": (
            "Choisissez votre réponse : chaque lien ouvre une réponse toute prête, il suffit"
            " de l'envoyer."
        ),
        "or": "Ou répondez simplement à ce message avec un nombre sur la première ligne.",
        "comment": "Un commentaire sous le nombre est le bienvenu.",
        "stop": 'Pour ne plus recevoir de questionnaire, répondez "stop".',
        "thanks": "Merci !",
        "answer": "Réponse",
    },
}


def shop_name(settings: SurveySettings, sender: str) -> str:
    """`[mail] shop_name`, else the display name of `[smtp] from`, else its domain."""
    from email.utils import parseaddr

    if settings.shop_name:
        return settings.shop_name
    name, address = parseaddr(sender)
    return name or address.rpartition("@")[2] or address


def answer_subject(shop: str, score: int, code: str, language: str) -> str:
    return f"{_PHRASES[language]['answer']} {shop}: {score} [survey {code}]"


def mailto(reply_to: str, subject: str, body: str) -> str:
    """A `mailto:` URI (RFC 6068): the address and every field percent-encoded."""
    fields = f"subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    return f"mailto:{quote(reply_to, safe='@')}?{fields}"


def build(
    target: Target,
    *,
    sender: str,
    reply_to: str,
    code: str,
    on_scale: Scale,
    settings: SurveySettings,
) -> EmailMessage:
    """The survey for one contact: plain text and HTML, with a fresh Message-ID."""
    import email.policy
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    words = _PHRASES[settings.language]
    shop = shop_name(settings, sender)
    low, high = SCALE_RANGE[on_scale]
    scores = list(range(high, low - 1, -1))
    links = [
        (
            score,
            mailto(reply_to, answer_subject(shop, score, code, settings.language), f"{score}\n\n"),
        )
        for score in scores
    ]
    name = " ".join(without_controls(target.contact.name).split())
    hello = words["hello"].format(name=name)
    question = words[on_scale.value].format(shop=shop)
    stop = mailto(reply_to, f"stop [survey {code}]", "stop\n")

    # Header lines up to SMTP's limit: a folded List-Unsubscribe would be encoded and broken.
    message = EmailMessage(policy=email.policy.SMTP.clone(max_line_length=998))
    message["From"] = sender
    message["To"] = Address(display_name=name, addr_spec=target.address)
    if reply_to != _address_of(sender):
        message["Reply-To"] = reply_to
    message["Subject"] = words["subject"].format(shop=shop)
    message["Date"] = formatdate(localtime=True)
    domain = reply_to.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid("tinycrm-survey", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{stop}>"
    text_lines = [hello, "", question, "", words["click"], ""]
    text_lines += [f"  {score}: <{link}>" for score, link in links]
    text_lines += ["", f"{words['or']} {words['comment']}", "", words["stop"], "", words["thanks"]]
    text_lines += [shop, ""]
    message.set_content("\n".join(text_lines), charset="utf-8")
    message.add_alternative(
        _html(hello, question, words, links, shop, settings.language), subtype="html",
        charset="utf-8",
    )  # fmt: skip
    return message


def _address_of(sender: str) -> str:
    from email.utils import parseaddr

    return parseaddr(sender)[1]


def _html(
    hello: str,
    question: str,
    words: dict[str, str],
    links: list[tuple[int, str]],
    shop: str,
    language: str,
) -> str:
    def esc(text: str) -> str:
        return html.escape(text, quote=True)

    buttons = "\n".join(
        f'<a href="{esc(link)}" style="display:inline-block;min-width:2em;padding:8px 10px;'
        f"margin:2px;border:1px solid #888;border-radius:4px;text-align:center;"
        f'text-decoration:none;color:#000">{score}</a>'
        for score, link in sorted(links)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{esc(shop)}</title></head>\n"
        '<body style="font-family:sans-serif;line-height:1.4">\n'
        f"<p>{esc(hello)}</p>\n<p>{esc(question)}</p>\n<p>{esc(words['click'])}</p>\n"
        f"<p>{buttons}</p>\n<p>{esc(words['or'])} {esc(words['comment'])}</p>\n"
        f'<p style="color:#666;font-size:small">{esc(words["stop"])}</p>\n'
        f"<p>{esc(words['thanks'])}<br>{esc(shop)}</p>\n</body></html>\n"
    )
