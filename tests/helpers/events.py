"""Events and deliveries as the tests write them: a Netflix TV chart's week of 2022-01-16."""

from __future__ import annotations

from bot.engine.deliveries import DeliveryStatus, Destination, PendingDelivery
from bot.engine.events import Moved, NumberOneCount


def count(title: str, n: int, before: int, chart: str = "TV") -> NumberOneCount:
    return NumberOneCount(
        source="netflix",
        chart=chart,
        period="2022-01-16",
        title_key=title.lower(),
        title=title,
        artist=None,
        count=n,
        previous=before,
    )


def moved(title: str, country: str, rank: int, was: int) -> Moved:
    return Moved(
        source="netflix",
        chart="TV",
        period="2022-01-16",
        title_key=title.lower(),
        title=title,
        artist=None,
        country=country,
        rank=rank,
        previous_rank=was,
    )


def pending(
    delivery_id: int,
    destination: Destination,
    event: NumberOneCount | Moved | None = None,
    *,
    status: DeliveryStatus = DeliveryStatus.PENDING,
    batch_key: str | None = None,
    guild: int | None = 1,
) -> PendingDelivery:
    return PendingDelivery(
        id=delivery_id,
        event_id=delivery_id,
        destination=destination,
        guild_id=guild,
        attempts=0,
        event=event or count(f"Title {delivery_id}", 10 + delivery_id, 2),
        status=status,
        batch_key=batch_key,
    )
