"""A plan whose drafts are one template in several languages: each contact is judged against its own variant."""

from __future__ import annotations

import copy
from pathlib import Path

import polars as pl

from lint import LintRequest, lint
from lint.inputs.drafts import load_draft
from lint.variants import are_variants, variant_index
from tests.lint.helpers import MARKETING, TUESDAY_NOON_BERLIN, write_draft, write_text

# phone, language; the variant each row should get, worked out from the matching rule by hand:
# exact locale first, then the primary language, else the first draft of the plan
ROWS = (
    ("+4915123456701", "en", 0),  # primary en -> en_US
    ("+4915123456702", "pt-BR", 1),  # exact pt_BR
    ("+4915123456703", "PT", 1),  # primary pt
    ("+4915123456704", "fr", 0),  # no French variant -> the first draft
    ("+4915123456705", "", 0),  # no language -> the first draft
)


def _drafts(folder: Path) -> tuple[Path, Path]:
    portuguese = copy.deepcopy(MARKETING)
    portuguese["language"] = "pt_BR"
    portuguese["components"][2]["text"] = "Responda PARAR para sair"
    return write_draft(folder, MARKETING, "en.json"), write_draft(folder, portuguese, "pt.json")


def test_each_contact_gets_the_variant_in_its_language(tmp_path: Path) -> None:
    english, portuguese = _drafts(tmp_path)
    drafts = (load_draft(english), load_draft(portuguese))
    assert are_variants(drafts)
    contacts = pl.DataFrame({"language": [language for _, language, _ in ROWS]})
    assert variant_index(drafts, contacts).to_list() == [expected for *_, expected in ROWS]


def test_different_templates_are_not_variants(tmp_path: Path) -> None:
    other = copy.deepcopy(MARKETING)
    other["name"] = "autumn_sale"
    drafts = (
        load_draft(write_draft(tmp_path, MARKETING, "a.json")),
        load_draft(write_draft(tmp_path, other, "b.json")),
    )
    assert not are_variants(drafts)


def test_language_findings_only_for_the_contact_without_a_variant(tmp_path: Path) -> None:
    _drafts(tmp_path)
    lines = ["phone,language,consent_timestamp,consent_method,business_name_shown,purposes"]
    lines += [f"{phone},{language},2025-05-01,web_form,Acme,marketing" for phone, language, _ in ROWS]
    write_text(tmp_path, "contacts.csv", "\n".join(lines) + "\n")
    plan = write_text(
        tmp_path,
        "campaign.toml",
        'name = "x"\ndrafts = ["en.json", "pt.json"]\ncontacts = "contacts.csv"\n'
        'send_at = 2025-06-03T10:00:00Z\n[parameters]\nbody = ["{{ language }}"]\n',
    )
    report = lint(LintRequest(plan=plan, at=TUESDAY_NOON_BERLIN, select=("T006",)))
    found = [(f.code, f.target.row) for f in report.iter_findings()]
    # only the French speaker gets a template in a language they did not ask for, and only once
    assert found == [("T006", 4)]
    assert "[spring_sale en_US]" in next(iter(report.iter_findings())).message
