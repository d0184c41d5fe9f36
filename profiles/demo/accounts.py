"""The demo's accounts: brands, editorial desks and the names shopper-creators go by.

Data only. Brand names are made up; any likeness to a real brand is accidental.
"""

from __future__ import annotations

from dataclasses import dataclass

from profiles.demo.catalog import TOPS


@dataclass(frozen=True)
class BrandSpec:
    name: str
    # Category path prefixes the brand sells in.
    sells: tuple[str, ...]
    bio: str
    campaign: str


# Interleaved over the top categories, so that the first few (a small --scale) still span several.
BRANDS: tuple[BrandSpec, ...] = (
    BrandSpec("Lumière Skin", ("Beauty > Skin",), "Skincare that keeps it simple.", "The Glow Edit"),
    BrandSpec("Stride Lab", ("Fashion > Shoes", "Sports > Running"), "Shoes engineered to move.", "Built to Move"),
    BrandSpec("Copper & Crumb", ("Home > Kitchen",), "Kitchen tools for everyday cooks.", "Cook More at Home"),
    BrandSpec("Pulse Audio", ("Tech > Audio",), "Sound, without the noise.", "Hear Every Detail"),
    BrandSpec("Flowstate", ("Sports > Yoga", "Sports > Fitness"), "Gear for the mat and beyond.", "Find Your Flow"),
    BrandSpec(
        "Velvet & Vine", ("Beauty > Makeup", "Beauty > Fragrance"), "Colour and scent, made bold.", "Bold Is Back"
    ),
    BrandSpec(
        "Maison Ardent", ("Fashion > Women", "Fashion > Accessories"), "Parisian ease, made to last.", "The Spring Edit"
    ),
    BrandSpec(
        "Hearth Studio", ("Home > Decor", "Home > Bedding"), "Slow living for small spaces.", "Cosy Season Is Here"
    ),
    BrandSpec(
        "Orbit Gear",
        ("Tech > Phone Accessories", "Tech > Smart Home", "Tech > Wearables"),
        "Smart little things.",
        "Upgrade Your Everyday",
    ),
    BrandSpec(
        "Nordic Dew", ("Beauty > Skin", "Beauty > Hair"), "Clean formulas from the north.", "Fresh From the Fjords"
    ),
    BrandSpec(
        "Northbound Outfitters",
        ("Fashion > Men", "Sports > Outdoor", "Fashion > Shoes > Boots"),
        "Outdoor-ready, city-proof.",
        "Made for the Long Way",
    ),
    BrandSpec(
        "Greenroom", ("Home > Plants", "Home > Decor > Vases"), "Plants delivered happy.", "Bring the Outside In"
    ),
)


@dataclass(frozen=True)
class EditorialSpec:
    handle: str
    display_name: str
    tops: tuple[str, ...]
    bio: str


EDITORIAL: tuple[EditorialSpec, ...] = (
    EditorialSpec("the_edit", "The Edit", TOPS, "What's worth your money this week."),
    EditorialSpec("beauty_desk", "Beauty Desk", ("Beauty",), "Tested by our beauty editors."),
    EditorialSpec("home_stories", "Home Stories", ("Home",), "Homes, kitchens and the things in them."),
    EditorialSpec("gift_guide", "Gift Guide", TOPS, "Gifts they'll actually use."),
)

FIRST_NAMES: tuple[str, ...] = (
    "Maya", "Leo", "Sofia", "Noah", "Amara", "Lucas", "Chloe", "Mateo", "Zoe", "Elias", "Lina", "Jonas",
    "Aisha", "Hugo", "Nina", "Theo", "Clara", "Omar", "Ines", "Felix", "Yara", "Milan", "Emma", "Ravi",
    "Lea", "Kenji", "Sara", "Jules", "Mila", "Tariq", "Anouk", "Luca", "Freya", "Diego", "Hana", "Oskar",
)  # fmt: skip
LAST_INITIALS = "ABCDEFGHJKLMNOPRSTVWZ"
# Handle suffixes a shopper-creator picks after their first name, by their main category.
HANDLE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "Beauty": ("glows", "skin_diary", "beauty_notes", "makeup_daily"),
    "Fashion": ("fits", "kicks", "style_log", "wears"),
    "Home": ("at_home", "cooks", "nest", "plant_corner"),
    "Tech": ("tech_desk", "gadgets", "setup"),
    "Sports": ("runs", "moves", "outdoors", "lifts"),
}
CREATOR_BIOS: dict[str, tuple[str, ...]] = {
    "Beauty": ("Sensitive skin, honest reviews.", "Skincare nerd. No gatekeeping.", "Makeup for real life."),
    "Fashion": ("Thrifted and new, styled daily.", "Sneakerhead since forever.", "Capsule wardrobe believer."),
    "Home": ("Small flat, big ideas.", "Home cook, coffee snob.", "Plant parent of 40+."),
    "Tech": ("Desk setups and gadgets.", "I test it so you don't have to.", "Tech that makes life easier."),
    "Sports": ("Marathoner in training.", "Yoga every morning.", "Weekend hiker, weekday lifter."),
}
