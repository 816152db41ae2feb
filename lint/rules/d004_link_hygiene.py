"""D004 link-hygiene."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.packs import Packs
from lint.text import PLACEHOLDER, find_urls

_DIGITS = re.compile(r"\d{7,}")


def _host(url: str) -> tuple[str, str, str]:
    """(scheme, host, query) of a link, with placeholders neutralised."""
    masked = PLACEHOLDER.sub("VAR", url)
    try:
        parts = urlsplit(masked if "://" in masked else f"//{masked}")
        host = parts.hostname or ""
    except ValueError:  # e.g. an unbalanced "[" (urllib reads it as a broken IPv6 literal)
        return "", "", ""
    return parts.scheme.lower(), host.lower().rstrip("."), parts.query


def _under(host: str, domains: frozenset[str] | tuple[str, ...]) -> bool:
    return any(host == d or host.endswith(f".{d}") for d in (d.lower().strip(".") for d in domains))


def link_problems(url: str, packs: Packs, brand_domains: tuple[str, ...]) -> list[tuple[Severity, str]]:
    """What is wrong with one link, most severe first."""
    scheme, host, query = _host(url)
    found: list[tuple[Severity, str]] = []
    if not host:
        return [(Severity.ERROR, "it is not a valid web address")]
    if scheme == "http":
        found.append((Severity.ERROR, "it uses http, not https"))
    try:
        ipaddress.ip_address(host.strip("[]"))
        found.append((Severity.ERROR, "its host is an IP address"))
    except ValueError:
        pass
    if _under(host, packs.shorteners_block):
        found.append((Severity.ERROR, f"{host} is a public link shortener"))
    elif _under(host, packs.shorteners_warn):
        found.append((Severity.WARNING, f"{host} is a shared link-aggregator page"))
    if "xn--" in host or not host.isascii():
        found.append((Severity.WARNING, "its domain is punycode or uses look-alike characters"))
    if host == "var":
        found.append((Severity.WARNING, "its domain is a variable and cannot be checked"))
    elif brand_domains and not _under(host, (*brand_domains, *packs.allowed_hosts)):
        found.append((Severity.WARNING, f"{host} is not one of your domains ({', '.join(brand_domains)})"))
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.lower() in packs.personal_query_keys or "@" in value or _DIGITS.search(value):
            found.append((Severity.WARNING, f"its query parameter '{key}' looks like personal data"))
            break
    return sorted(found, key=lambda item: -item[0].rank)


class LinkHygiene(Rule):
    """Link is not an https link on the sender's own domain.

    What it does:
        Checks every link in the draft's texts and URL buttons (with or without ``https://``).
        Errors: ``http://`` links, IP-address hosts, public shorteners (bit.ly, tinyurl.com,
        t.co ... ``packs/links.toml``). Warnings: link aggregators (linktr.ee), punycode or
        look-alike domains, domains outside ``brand_domains`` (when configured; wa.me links are
        fine) and query parameters that carry personal data (email, phone, name).

    Why it matters:
        Carriers and WhatsApp treat shortened and non-https links as spam signals (CTIA 5.3.2,
        Twilio error 30963); a link on the sender's own domain tells the recipient who is
        writing; personal data in URLs leaks into logs and analytics (GDPR Art. 5(1)(c);
        ePrivacy Art. 5(3)).

    Example:
        ``Shop now: http://bit.ly/3xYz``

    Use instead:
        ``Shop now: https://acme.com/spring``

    Configuration:
        ``brand_domains`` in ``[lint]``; shortener lists in ``lint/packs/links.toml``.

    References:
        CTIA Messaging Principles 5.3.2; T-Mobile Code of Conduct; Twilio error 30963; GDPR Art.
        5(1)(c); ePrivacy Art. 5(3); compliance-rules.md §11.3.
    """

    code = "D004"
    name = "link-hygiene"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("data", "links", "content")
    basis = "CTIA 5.3.2 + T-Mobile Code of Conduct; Twilio 30963; GDPR Art. 5(1)(c); ePrivacy Art. 5(3)"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """One finding per problematic link."""
        brand = ctx.config.brand_domains
        for component in draft.components:
            urls = find_urls(component.text)
            if component.url:
                urls.append(component.url)
            for url in dict.fromkeys(urls):
                problems = link_problems(url, ctx.packs, brand)
                if problems:
                    reasons = "; ".join(reason for _, reason in problems)
                    yield self.draft_finding(
                        draft,
                        f"Link {url} is not allowed: {reasons}. Use an https link on your own branded domain "
                        "without personal data.",
                        component,
                        excerpt=url,
                        severity=problems[0][0],
                    )
