"""The unfinished list in words: local time said as a person says it, the person by role and age."""

from __future__ import annotations

from datetime import UTC, datetime

from ui.drafts import local_zone, person_words, when_words

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 16:00 in Stockholm
SE = local_zone("Europe/Stockholm")


def test_times_in_local_words() -> None:
    assert when_words("2026-11-30T14:05:00", "sv", SE, NOW) == "i dag kl. 15:05"
    assert when_words("2026-11-30T14:05:00", "en", SE, NOW) == "today at 15:05"
    assert when_words("2026-11-29T23:30:00", "sv", SE, NOW) == "i dag kl. 00:30"  # after local midnight
    assert when_words("2026-11-29T08:30:00", "en", SE, NOW) == "yesterday at 09:30"
    assert when_words("2026-07-03T12:00:00", "sv", SE, NOW) == "3 juli kl. 14:00"  # summer time
    assert when_words("2025-12-24T12:00:00", "en", SE, NOW) == "24 December 2025 at 13:00"


def test_an_unknown_zone_falls_back_to_swedish_time() -> None:
    assert local_zone("Mars/Olympus") == SE and local_zone(None) == SE


def test_the_person_in_words() -> None:
    assert person_words({"subject": "v1", "subject_role": "victim", "subject_age": 31}, "sv") == "v1 – utsatt, 31 år"
    assert person_words({"subject": "c2", "subject_role": "child"}, "en").startswith("c2 – ")
    assert "p9" in person_words({"subject": "p9"}, "en")
