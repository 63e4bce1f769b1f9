"""The webhook rules on their own: which addresses are public, how long retries wait and when
they are given up, what keeps deliveries in order, which secrets sign during a rotation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from gateway.webhooks import domain

NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    "address,public",
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("fe80::1%eth0", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_only_an_internet_address_is_public(address, public):
    assert domain.is_public(address) is public


def test_a_host_is_judged_by_every_address_it_resolves_to():
    def resolve(_host):
        return ["93.184.215.14", "10.0.0.7"]

    problems = domain.url_problems(
        "https://mixed.example/", development=False, allowed_hosts=(), resolve=resolve
    )
    assert problems and "10.0.0.7" in problems[0]
    allowed = domain.url_problems(
        "https://mixed.example/",
        development=False,
        allowed_hosts=("mixed.example",),
        resolve=resolve,
    )
    assert allowed == []


def test_each_wait_is_drawn_below_its_cap_and_the_last_cap_repeats():
    rng = random.Random(7)
    for failures in range(1, 30):
        cap = domain.RETRY_CAPS[min(failures, len(domain.RETRY_CAPS)) - 1]
        assert timedelta(0) <= domain.retry_delay(failures, rng) <= cap
    assert domain.RETRY_CAPS[0] == timedelta(seconds=5)


def test_a_delivery_is_given_up_only_after_a_day_of_failures():
    first = NOW
    assert not domain.gives_up(first, NOW + timedelta(hours=23, minutes=59))
    assert domain.gives_up(first, NOW + timedelta(hours=24))


def test_events_about_the_same_order_share_a_subject():
    confirmed = domain.subject_of("order.confirmed", {"order_id": "o-1"}, "e-1")
    shipped = domain.subject_of("order.shipped", {"order_id": "o-1", "lines": []}, "e-2")
    assert confirmed == shipped == "order_id:o-1"
    assert domain.subject_of("stock.low", {"sku": "A"}, "e-3") == "sku:A"
    assert domain.subject_of("campaign.planned", {"code": "X"}, "e-4") == "event:e-4"


def test_a_replaced_secret_signs_beside_the_new_one_for_its_grace_period():
    secrets = domain.Secrets("whsec_new", "whsec_old", NOW + domain.SECRET_GRACE)
    assert secrets.signing(NOW) == ["whsec_new", "whsec_old"]
    assert secrets.signing(NOW + domain.SECRET_GRACE) == ["whsec_new"]
