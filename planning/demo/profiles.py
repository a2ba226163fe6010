"""Settlement types of Weidenstadt and how each behaves: demography, social status, Kita supply.

Why: one table drives the population model, the Kita supply and the social indicators alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TypeProfile:
    """Demographic and social behaviour of a settlement type (``geodata.synthetic.AREA_NAMES`` keys).

    ``shape`` multiplies the base pyramid per age group in 2015; ``migration`` is the annual net
    migration rate per age group; ``social`` runs from 0 (affluent) to 1 (deprived). ``kita_ue3``
    and ``kita_u3`` set the area's Kita supply relative to its children before city calibration.
    """

    pop_2015: tuple[int, int]
    shape: tuple[float, ...]
    fertility: float
    migration: tuple[float, ...]
    social: float
    social_trend: float = 0.0  # change of ``social`` per year
    kita_ue3: float = 1.0
    kita_u3: float = 0.34


PROFILES: dict[str, TypeProfile] = {
    "innenstadt": TypeProfile(
        pop_2015=(2800, 4200),
        shape=(0.5, 0.5, 1.7, 1.9, 1.15, 0.85, 0.75),
        fertility=0.6,
        migration=(-0.09, -0.04, 0.09, 0.04, -0.035, -0.005, -0.01),
        social=0.45,
        kita_ue3=1.35,  # Kitas near workplaces: oversupplied
        kita_u3=0.5,
    ),
    "gruenderzeit": TypeProfile(
        pop_2015=(4200, 6000),
        shape=(1.15, 0.95, 1.2, 1.5, 1.35, 0.85, 0.65),
        fertility=1.12,
        migration=(0.01, 0.0, 0.03, 0.03, 0.01, -0.005, -0.015),
        social=0.3,
        social_trend=-0.01,
        kita_ue3=0.95,
        kita_u3=0.36,
    ),
    "gemischt": TypeProfile(
        pop_2015=(3200, 5000),
        shape=(1.0,) * 7,
        fertility=1.0,
        migration=(0.0, -0.005, 0.01, 0.01, 0.0, -0.003, -0.005),
        social=0.45,
    ),
    "grosswohnsiedlung": TypeProfile(
        pop_2015=(5600, 7400),
        shape=(1.15, 1.25, 1.0, 0.9, 0.9, 1.0, 1.25),
        fertility=1.2,
        migration=(-0.03, -0.035, -0.01, -0.02, -0.03, -0.012, 0.0),
        social=0.88,
        social_trend=0.012,
        kita_ue3=1.08,
        kita_u3=0.3,
    ),
    "suburban": TypeProfile(
        pop_2015=(2600, 4200),
        shape=(0.75, 1.25, 0.75, 0.55, 0.85, 1.3, 1.2),
        fertility=0.95,
        migration=(0.005, -0.008, -0.08, -0.03, 0.005, 0.0, -0.002),
        social=0.1,
        kita_ue3=0.92,
    ),
    "neubau": TypeProfile(  # a hamlet until the Sonnenhang development starts in 2019
        pop_2015=(110, 140),
        shape=(0.6, 0.8, 0.8, 0.6, 0.8, 1.3, 1.3),
        fertility=1.35,
        migration=(0.0,) * 7,
        social=0.12,
        kita_ue3=0.42,  # Kitas lag behind the move-ins
        kita_u3=0.3,
    ),
    "hafen": TypeProfile(
        pop_2015=(250, 330),
        shape=(0.5, 0.6, 1.3, 1.4, 1.1, 1.1, 0.8),
        fertility=0.9,
        migration=(0.0, 0.0, 0.02, 0.0, 0.0, 0.0, 0.0),
        social=0.7,
        kita_u3=0.3,
    ),
    "gewerbe": TypeProfile(
        pop_2015=(190, 260),
        shape=(0.6, 0.8, 1.0, 1.0, 1.0, 1.2, 1.0),
        fertility=0.9,
        migration=(0.0,) * 7,
        social=0.6,
        kita_ue3=0.0,
        kita_u3=0.0,
    ),
    "wald": TypeProfile(
        pop_2015=(160, 220),
        shape=(0.5, 0.7, 0.6, 0.6, 0.8, 1.3, 1.6),
        fertility=0.8,
        migration=(-0.01, -0.01, -0.02, 0.0, 0.0, 0.0, 0.0),
        social=0.3,
        kita_ue3=0.0,
        kita_u3=0.0,
    ),
}
