"""Tables built from entries: mixed-setting notes, price keys, listing keys."""

import pytest

from generator.schema import Model, Score
from generator.tables import NOT_STATED, price_key, price_text, score_codes, settings_note, settings_of


def score(**fields) -> Score:
    return Score(value=50, **fields)


@pytest.mark.parametrize("settings, expected", [
    (["5-shot", "5-shot"], None),
    ([None, None], None),
    (["5-shot"], None),
    (["5-shot", "0-shot"], ("5-shot", "0-shot")),
    ([None, "5-shot", "0-shot", "5-shot"], ("5-shot", "0-shot", NOT_STATED)),
])
def test_settings_note_appears_only_when_settings_differ(settings, expected):
    note = settings_note([score(setting=s) for s in settings] + [None])
    assert (note.settings if note else None) == expected


def test_settings_note_text_names_the_settings():
    note = settings_note([score(setting="5-shot"), score()])
    assert note.text == "measured under different settings (5-shot; not stated); compare with care"


def model(**fields) -> Model:
    return Model.model_validate({"name": "M", "summary": "s", "developer": "D", "release_date": "2025-01", **fields})


@pytest.mark.parametrize("fields, text, key", [
    ({"pricing": {"input_per_mtok": 0.5, "output_per_mtok": 1.5}}, "$0.50 / $1.50", 0.5),
    ({"pricing": {"output_per_mtok": 2}}, "— / $2.00", 2),
    ({"pricing": None, "open_weights": True}, "Free (open weights)", 0.0),
    ({"pricing": None, "open_weights": False}, "—", None),
    ({"open_weights": True}, "—", None),
])
def test_price_text_and_sort_key_follow_the_seed_rule(fields, text, key):
    entry = model(**fields)
    assert (price_text(entry), price_key(entry)) == (text, key)


def test_scores_are_coded_compactly_with_flags_and_setting_numbers():
    entry = model(slug="m", benchmarks={"a": {"value": 64.4, "approx": True, "self_reported": True, "setting": "5-shot"},
                                        "b": 1200, "c": {"value": 1.5, "estimated": True},
                                        "d": {"value": 3, "setting": "0-shot"}, "e": {"value": 2, "setting": "5-shot"}})
    settings = settings_of([entry])
    assert settings == ("5-shot", "0-shot")
    assert score_codes(entry, settings) == "a:64.4:as:0 b:1200 c:1.5:e d:3::1 e:2::0"
