"""The segmentation's data files: every English text has a Chinese one with the same placeholders; every
playbook group has a label and an action in both languages; every declared column has both labels."""

from __future__ import annotations

import pytest

from crmbook import segmentation as seg
from crmbook.context import LANGUAGES
from crmbook.language import catalogue, placeholders
from crmbook.tables import columns

TEXTS = catalogue("crmbook.segmentation").texts


def test_every_english_text_exists_in_chinese_with_the_same_placeholders():
    assert TEXTS["en"] and set(TEXTS["en"]) == set(TEXTS["zh"])
    for key, template in TEXTS["en"].items():
        assert placeholders(template) == placeholders(TEXTS["zh"][key]), key
        assert isinstance(template, dict) or str(template).strip(), key


@pytest.mark.parametrize("playbook", [seg.RFM_PLAYBOOK, seg.ABC_PLAYBOOK, seg.TARGET_PLAYBOOK], ids=repr)
def test_playbooks_name_and_advise_every_group_in_every_language(playbook):
    assert set(playbook.order) == set(playbook.groups)
    for group in playbook:
        for lang in LANGUAGES:
            assert playbook.label(group, lang) and playbook.action(group, lang)
    first = next(iter(playbook))
    written = {"RFM": "Reward and involve", "ABC": "Key-account management", "TARGET": "Invest: first call"}
    assert playbook[first].startswith(written[playbook.name.upper()])  # reads as group -> action, from the YAML


def test_segments_and_quadrants_have_playbook_entries():
    assert set(seg.RFM_SEGMENT_MAP.values()) <= set(seg.RFM_PLAYBOOK)
    assert set(seg.TARGET_QUADRANTS.values()) | {seg.TARGET_DORMANT} == set(seg.TARGET_PLAYBOOK)
    assert seg.RFM_SEGMENT_ORDER[0] == "champions" and seg.NO_PURCHASE in seg.RFM_SEGMENT_ORDER


def test_declared_columns_have_a_label_per_language():
    declared = columns("crmbook.segmentation")
    for name in ("r_score", "annual_revenue", "penetration", "traits", "abc_reason", "portrait"):
        assert set(declared[name].labels) == set(LANGUAGES), name
