"""Codes and bit masks: the contract's vocabulary, the same as the library's."""
from __future__ import annotations

import pytest

import wegwijzer


def test_vocabularies_are_the_contracts():
    assert wegwijzer.TOPICS == ("digid", "benefits", "taxes", "permits", "health", "banking",
                                "insurance", "jobs", "pension", "basics", "device", "internet",
                                "safety", "literacy", "education")
    assert wegwijzer.MODES == ("in_person", "home_visit", "phone", "video")
    assert wegwijzer.ACCESS == ("wheelchair", "hearing_loop", "quiet_room", "easy_language",
                                "visual_aid")
    assert wegwijzer.PROVIDER_KINDS == ("ido", "library", "welfare", "volunteer", "phone",
                                        "municipal", "other")
    assert wegwijzer.REMOTE_COST_M == 25_000


def test_masks():
    assert wegwijzer.topic_mask("digid;benefits") == 3
    assert wegwijzer.topic_mask([" digid ", "benefits"]) == 3
    assert wegwijzer.topic_mask({"education"}) == 1 << 14
    assert wegwijzer.topic_mask(5) == 5
    assert wegwijzer.mode_mask("phone;video") == 0b1100
    assert wegwijzer.access_mask("") == 0
    assert wegwijzer.codes_of(3, wegwijzer.TOPICS) == ("digid", "benefits")
    for mask in range(1 << len(wegwijzer.MODES)):
        assert wegwijzer.mode_mask(wegwijzer.codes_of(mask, wegwijzer.MODES)) == mask


def test_codes_are_case_sensitive():
    with pytest.raises(ValueError, match="unknown code 'DigiD'.*known codes: digid, benefits"):
        wegwijzer.topic_mask("DigiD")
    with pytest.raises(ValueError, match="unknown code 'NL'"):
        wegwijzer.language_codes("NL")
    with pytest.raises(ValueError):
        wegwijzer.codes_of(1 << 15, wegwijzer.TOPICS)


def test_languages():
    assert wegwijzer.language_codes("nl;ar") == ("ar", "nl")
    assert wegwijzer.language_codes(["fy", "nl"]) == ("fy", "nl")


def test_request_normalises_codes():
    r = wegwijzer.Request("r1", 52.37, 4.89, topics="benefits;digid", languages="nl;ar",
                          modes=["video", "phone"])
    assert r.topics == ("digid", "benefits") and r.languages == ("ar", "nl")
    assert r.modes == ("phone", "video")
    assert repr(r) == ("Request(id='r1', lat=52.37, lon=4.89, topics=('digid', 'benefits'), "
                       "languages=('ar', 'nl'), modes=('phone', 'video'))")


def test_haversine_is_the_contracts():
    # One degree of latitude on the contract's sphere (R = 6,371,008.8 m).
    assert wegwijzer.haversine_m(52, 5, 53, 5) == pytest.approx(111_195.08, abs=0.01)
