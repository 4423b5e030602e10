"""Small builders for matching tests."""
from __future__ import annotations

from datetime import date

from exchange.matching.engine import OfferData, RequestData

CA = frozenset({"142", "143", "001"})
WAF = frozenset({"002", "202", "011", "001"})


def req(id=1, country="TJK", areas=CA, themes=("financing",), modalities=("training",),
        languages=("en",), title="Request", description="", beneficiary="",
        desired_start=None, desired_end=None, urgency="medium") -> RequestData:
    return RequestData(id=id, country=country, areas=frozenset(areas), themes=frozenset(themes),
                       modalities=frozenset(modalities), languages=frozenset(languages), title=title,
                       description=description, beneficiary=beneficiary, desired_start=desired_start,
                       desired_end=desired_end, urgency=urgency)


def off(id=1, active=True, countries=(), regions=(), themes=("financing",), modalities=("training",),
        languages=("en",), title="Offer", description="", available_from=None, available_until=None,
        capacity=None, load=0) -> OfferData:
    return OfferData(id=id, active=active, countries=frozenset(countries), regions=frozenset(regions),
                     themes=frozenset(themes), modalities=frozenset(modalities),
                     languages=frozenset(languages), title=title, description=description,
                     available_from=available_from, available_until=available_until,
                     capacity=capacity, load=load)


D = date
