"""Ways of proving an identity that accounts cannot check itself.

An account pending because its ID number was already registered proves who she is on
her identity page. Accounts knows one way (hand-held ID photos, reviewed by the 客服);
the apps above it add theirs — records: the facts of her enrolment or degree records,
and a classmate of her class (records.identity) — by registering a ProofRoute in their
AppConfig.ready. The page shows each route's section, in the order registered, before
the photos. So accounts never imports the apps built above it for the page (the same
inversion as accounts.transfer).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms


@dataclass(frozen=True)
class ProofRoute:
    form_class: type[forms.Form]
    template: str  # its section of the identity page, rendered with `form`


@dataclass(frozen=True)
class ProofSection:
    template: str
    form: forms.Form


_routes: list[ProofRoute] = []


def register_proof_route(route: ProofRoute) -> ProofRoute:
    if route not in _routes:
        _routes.append(route)
    return route


def proof_sections(*, refused: forms.Form | None = None) -> list[ProofSection]:
    """Each route's section with a blank form, or with `refused` (a form sent back with
    its errors) in the section of its route."""
    return [
        ProofSection(
            template=route.template,
            form=refused if type(refused) is route.form_class else route.form_class(),
        )
        for route in _routes
    ]
