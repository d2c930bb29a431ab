"""Times as people read them: the zone always named, how far off where it helps."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from apps.core.times import relative_text, when_text

NOW = datetime(2026, 11, 27, 8, 27, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (timedelta(seconds=20), "in under a minute"),
        (timedelta(seconds=-20), "just now"),
        (timedelta(hours=2), "in 2\xa0hours"),
        # Set for two hours from now and shown a moment later: still "in 2 hours".
        (timedelta(hours=2) - timedelta(milliseconds=300), "in 2\xa0hours"),
        (timedelta(days=3), "in 3\xa0days"),
        (timedelta(days=-3, hours=-5), "3\xa0days ago"),
        (timedelta(minutes=-1), "1\xa0minute ago"),
    ],
)
def test_relative(offset, text):
    assert relative_text(NOW + offset, now=NOW) == text


def test_when_names_the_zone_of_the_person():
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert when_text(NOW + timedelta(hours=2), now=NOW) == (
            "2026-11-27 19:27 JST (in 2\xa0hours)"
        )
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert when_text(NOW, now=NOW) == "2026-11-27 03:27 EST (just now)"
    with timezone.override(zoneinfo.ZoneInfo("Asia/Dubai")):
        assert when_text(NOW, now=NOW) == "2026-11-27 12:27 +04 (just now)"


def test_the_filter_gives_a_time_element():
    template = Template('{% load kura_time %}{{ at|when:"plain" }}|{{ missing|when }}')
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        html = template.render(Context({"at": NOW}))
    assert html == '<time datetime="2026-11-27T17:27:00+09:00">2026-11-27 17:27 JST</time>|'


def test_the_filter_adds_how_far_off():
    at = timezone.now() + timedelta(days=3)
    with timezone.override(zoneinfo.ZoneInfo("UTC")):
        html = Template("{% load kura_time %}{{ at|when }}").render(Context({"at": at}))
    assert html == (
        f'<time datetime="{at.astimezone(UTC).isoformat(timespec="seconds")}">'
        f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC</time> (in 3\xa0days)"
    )
