"""The demo shop's categories and products: how each leaf's products are named, priced and drawn.

Data only. Product names are made up; any likeness to a real product is accidental.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Leaf:
    """A category leaf and how its products are named, priced (EUR) and drawn."""

    path: str
    names: tuple[str, ...]
    variants: tuple[str, ...]
    price: tuple[int, int]
    shape: str
    styles: tuple[str, ...] = ()

    @cached_property
    def top(self) -> str:
        return self.path.split(" > ")[0]

    @cached_property
    def group(self) -> str:
        """The first two levels ("Beauty > Skin"): how shoppers' tastes are modelled."""
        return " > ".join(self.path.split(" > ")[:2])

    @cached_property
    def name(self) -> str:
        return self.path.split(" > ")[-1]


LEAVES: tuple[Leaf, ...] = (
    # Beauty
    Leaf(
        "Beauty > Skin > Serum",
        (
            "Vitamin C Brightening Serum",
            "Hyaluronic Acid Hydrating Serum",
            "Niacinamide 10% Serum",
            "Retinol Night Serum",
            "Peptide Firming Serum",
            "Azelaic Acid Calming Serum",
        ),
        ("15 ml", "30 ml", "50 ml"),
        (14, 58),
        "bottle",
        ("Clean Beauty", "Minimal"),
    ),
    Leaf(
        "Beauty > Skin > Moisturizer",
        (
            "Ceramide Barrier Cream",
            "Squalane Daily Moisturizer",
            "Oil-Free Gel Cream",
            "Rich Repair Night Cream",
            "Tinted Moisturizer SPF 30",
        ),
        ("50 ml", "75 ml"),
        (12, 46),
        "box",
        ("Clean Beauty",),
    ),
    Leaf(
        "Beauty > Skin > Cleanser",
        ("Gentle Foaming Cleanser", "Oat Milk Cleansing Balm", "Salicylic Acid Gel Cleanser", "Micellar Water"),
        ("150 ml", "250 ml"),
        (8, 28),
        "bottle",
        ("Clean Beauty",),
    ),
    Leaf(
        "Beauty > Skin > Sunscreen",
        ("Invisible Fluid SPF 50", "Mineral Sunscreen SPF 30", "Hydrating Sun Gel SPF 50+", "Tinted Sun Shield SPF 40"),
        ("40 ml", "50 ml"),
        (11, 34),
        "bottle",
    ),
    Leaf(
        "Beauty > Makeup > Lipstick",
        ("Velvet Matte Lipstick", "Satin Lip Colour", "Glossy Lip Oil", "Liquid Lip Stain"),
        ("Rosewood", "Brick Red", "Nude Petal", "Berry Crush", "Coral Pop"),
        (9, 32),
        "bottle",
        ("Glam", "Clean Girl"),
    ),
    Leaf(
        "Beauty > Makeup > Mascara",
        ("Lash Lift Mascara", "Volume Boost Mascara", "Waterproof Length Mascara"),
        ("Black", "Brown Black"),
        (10, 29),
        "bottle",
        ("Glam", "Clean Girl"),
    ),
    Leaf(
        "Beauty > Makeup > Foundation",
        ("Skin Tint Foundation", "Soft Matte Foundation", "Dewy Glow Foundation", "Concealer Stick"),
        ("Fair", "Light", "Medium", "Tan", "Deep"),
        (16, 45),
        "bottle",
        ("Clean Girl",),
    ),
    Leaf(
        "Beauty > Hair > Shampoo",
        ("Repair Bond Shampoo", "Scalp Balance Shampoo", "Curl Defining Shampoo", "Volume Shampoo"),
        ("250 ml", "500 ml"),
        (8, 30),
        "bottle",
    ),
    Leaf(
        "Beauty > Hair > Hair Oil",
        ("Argan Shine Oil", "Rosemary Growth Oil", "Lightweight Hair Serum"),
        ("50 ml", "100 ml"),
        (12, 38),
        "bottle",
    ),
    Leaf(
        "Beauty > Fragrance > Eau de Parfum",
        ("Fig & Cedar Eau de Parfum", "Amber Musk Eau de Parfum", "Neroli Bloom Eau de Parfum", "Sea Salt & Sage"),
        ("30 ml", "50 ml", "100 ml"),
        (38, 145),
        "bottle",
        ("Old Money", "Minimal"),
    ),
    # Fashion
    Leaf(
        "Fashion > Shoes > Sneakers",
        (
            "Cloudrunner Knit Sneaker",
            "Court Classic Leather Sneaker",
            "Retro Trail Sneaker",
            "Platform Canvas Sneaker",
            "Suede Low-Top Sneaker",
        ),
        ("White", "Sand", "Black", "Sage", "Navy"),
        (59, 149),
        "sneaker",
        ("Streetwear", "Minimal"),
    ),
    Leaf(
        "Fashion > Shoes > Boots",
        ("Chelsea Leather Boot", "Lug Sole Combat Boot", "Suede Ankle Boot", "Shearling Lined Boot"),
        ("Black", "Tan", "Chocolate"),
        (89, 229),
        "sneaker",
        ("Old Money", "Streetwear"),
    ),
    Leaf(
        "Fashion > Women > Dresses",
        ("Linen Midi Dress", "Satin Slip Dress", "Ribbed Knit Dress", "Wrap Maxi Dress", "Poplin Shirt Dress"),
        ("Ivory", "Black", "Olive", "Terracotta", "Dusty Blue"),
        (39, 129),
        "shirt",
        ("Boho", "Minimal", "Old Money"),
    ),
    Leaf(
        "Fashion > Women > Knitwear",
        ("Cashmere Blend Sweater", "Chunky Cable Cardigan", "Merino Crew Neck", "Cropped Knit Vest"),
        ("Oatmeal", "Charcoal", "Cream", "Rust"),
        (45, 149),
        "shirt",
        ("Old Money", "Cosy"),
    ),
    Leaf(
        "Fashion > Men > Jackets",
        ("Waxed Cotton Jacket", "Quilted Overshirt", "Recycled Down Puffer", "Wool Blend Overcoat", "Denim Trucker"),
        ("Navy", "Olive", "Black", "Camel"),
        (79, 259),
        "shirt",
        ("Streetwear", "Gorpcore"),
    ),
    Leaf(
        "Fashion > Men > Shirts",
        ("Oxford Button-Down Shirt", "Linen Camp Collar Shirt", "Heavyweight Tee", "Flannel Check Shirt"),
        ("White", "Light Blue", "Ecru", "Forest"),
        (25, 79),
        "shirt",
        ("Minimal", "Old Money"),
    ),
    Leaf(
        "Fashion > Accessories > Bags",
        ("Canvas Market Tote", "Mini Crossbody Bag", "Leather Shoulder Bag", "Nylon Belt Bag"),
        ("Black", "Cognac", "Cream", "Sage"),
        (29, 189),
        "tote",
        ("Minimal", "Streetwear"),
    ),
    Leaf(
        "Fashion > Accessories > Jewelry",
        ("Gold Vermeil Hoops", "Freshwater Pearl Necklace", "Stacking Ring Set", "Chain Bracelet"),
        ("Gold", "Silver"),
        (19, 89),
        "disc",
        ("Old Money", "Clean Girl"),
    ),
    Leaf(
        "Fashion > Accessories > Sunglasses",
        ("Retro Round Sunglasses", "Oversized Cat-Eye Sunglasses", "Polarized Aviator Sunglasses"),
        ("Tortoise", "Black", "Honey"),
        (29, 119),
        "disc",
        ("Y2K", "Old Money"),
    ),
    # Home
    Leaf(
        "Home > Kitchen > Cookware",
        ("Cast Iron Skillet", "Enamel Dutch Oven", "Nonstick Frying Pan", "Carbon Steel Wok"),
        ("24 cm", "28 cm"),
        (29, 169),
        "disc",
    ),
    Leaf(
        "Home > Kitchen > Coffee",
        (
            "Stoneware Pour-Over Set",
            "Manual Burr Grinder",
            "Handheld Milk Frother",
            "Insulated Travel Mug",
            "Cold Brew Maker",
        ),
        ("Matte Black", "Cream", "Sage"),
        (15, 89),
        "box",
        ("Minimal", "Scandi"),
    ),
    Leaf(
        "Home > Decor > Candles",
        ("Fig Leaf Soy Candle", "Amber & Oud Candle", "Linen Breeze Candle", "Three-Wick Pine Candle"),
        ("180 g", "300 g"),
        (16, 48),
        "box",
        ("Cosy", "Scandi"),
    ),
    Leaf(
        "Home > Decor > Vases",
        ("Ribbed Ceramic Vase", "Handblown Glass Bud Vase", "Travertine Vase"),
        ("Small", "Large"),
        (19, 79),
        "bottle",
        ("Scandi", "Minimal"),
    ),
    Leaf(
        "Home > Bedding > Sheets",
        ("Stonewashed Linen Sheet Set", "Organic Percale Duvet Cover", "Waffle Knit Throw"),
        ("Double", "King"),
        (49, 189),
        "box",
        ("Cosy", "Scandi"),
    ),
    Leaf(
        "Home > Plants > Indoor Plants",
        ("Monstera Deliciosa", "Fiddle Leaf Fig", "Snake Plant", "Golden Pothos", "Potted Olive Tree"),
        ("Small", "Medium", "Large"),
        (14, 89),
        "plant",
        ("Boho", "Scandi"),
    ),
    # Tech
    Leaf(
        "Tech > Audio > Headphones",
        ("Studio Over-Ear Headphones ANC", "True Wireless Earbuds", "Open-Ear Sport Earbuds"),
        ("Black", "Sand", "Midnight Blue"),
        (39, 299),
        "disc",
        ("Minimal",),
    ),
    Leaf(
        "Tech > Audio > Speakers",
        ("Portable Waterproof Speaker", "Smart Shelf Speaker", "Retro Bluetooth Radio"),
        ("Black", "Sage", "Coral"),
        (49, 249),
        "box",
    ),
    Leaf(
        "Tech > Phone Accessories > Cases",
        ("Clear MagSafe Case", "Recycled Bumper Case", "Leather Wallet Case"),
        ("iPhone 16", "iPhone 15", "Galaxy S25", "Pixel 9"),
        (19, 59),
        "box",
        ("Y2K", "Minimal"),
    ),
    Leaf(
        "Tech > Phone Accessories > Chargers",
        ("3-in-1 Wireless Charging Stand", "65 W GaN Charger", "10,000 mAh Power Bank"),
        ("White", "Graphite"),
        (25, 89),
        "box",
    ),
    Leaf(
        "Tech > Smart Home > Lighting",
        ("Smart LED Bulb Kit", "Ambient Light Strip", "Sunrise Alarm Lamp"),
        ("Warm White", "Full Colour"),
        (19, 129),
        "disc",
        ("Cosy",),
    ),
    Leaf(
        "Tech > Wearables > Smartwatches",
        ("Fitness Tracker Band", "GPS Smartwatch", "Smart Ring"),
        ("Black", "Silver", "Rose Gold"),
        (59, 349),
        "disc",
    ),
    # Sports
    Leaf(
        "Sports > Yoga > Mats",
        ("Cork Yoga Mat", "Grippy Travel Mat", "Extra-Thick Pilates Mat"),
        ("4 mm", "6 mm"),
        (29, 99),
        "box",
        ("Athleisure",),
    ),
    Leaf(
        "Sports > Yoga > Activewear",
        ("Seamless Sports Bra", "High-Rise Leggings", "Flow Wide-Leg Pants"),
        ("Black", "Mocha", "Sage", "Plum"),
        (25, 79),
        "shirt",
        ("Athleisure", "Clean Girl"),
    ),
    Leaf(
        "Sports > Running > Running Shoes",
        ("Tempo Road Running Shoe", "Cushioned Daily Trainer", "Trail Grip Running Shoe"),
        ("Volt", "Black", "Glacier"),
        (89, 189),
        "sneaker",
        ("Athleisure", "Gorpcore"),
    ),
    Leaf(
        "Sports > Running > Gear",
        ("Reflective Running Vest", "Hydration Belt", "Lightweight Running Cap"),
        ("Black", "Neon"),
        (12, 49),
        "tote",
        ("Gorpcore",),
    ),
    Leaf(
        "Sports > Fitness > Weights",
        ("Adjustable Dumbbell", "Cast Iron Kettlebell", "Resistance Band Set"),
        ("8 kg", "12 kg", "16 kg"),
        (19, 249),
        "disc",
    ),
    Leaf(
        "Sports > Outdoor > Backpacks",
        ("25 L Hiking Backpack", "Roll-Top Commuter Backpack", "Packable Daypack"),
        ("Black", "Olive", "Rust"),
        (39, 159),
        "tote",
        ("Gorpcore",),
    ),
)

TOPS: tuple[str, ...] = ("Beauty", "Fashion", "Home", "Tech", "Sports")
# How shoppers' main interests are spread over the top categories.
TOP_POPULARITY: dict[str, float] = {"Beauty": 0.3, "Fashion": 0.3, "Home": 0.16, "Tech": 0.12, "Sports": 0.12}
# Ingredient tags, given to a post whose products' titles name them.
INGREDIENTS: tuple[str, ...] = (
    "Vitamin C", "Hyaluronic Acid", "Niacinamide", "Retinol", "Peptide", "Azelaic Acid", "Ceramide",
    "Squalane", "Salicylic Acid", "Argan", "Rosemary",
)  # fmt: skip

# How captions name a leaf's things: (singular, plural).
NOUNS: dict[str, tuple[str, str]] = {
    "Serum": ("serum", "serums"),
    "Moisturizer": ("moisturizer", "moisturizers"),
    "Cleanser": ("cleanser", "cleansers"),
    "Sunscreen": ("sunscreen", "sunscreens"),
    "Lipstick": ("lip colour", "lip colours"),
    "Mascara": ("mascara", "mascaras"),
    "Foundation": ("base", "bases"),
    "Shampoo": ("shampoo", "shampoos"),
    "Hair Oil": ("hair oil", "hair oils"),
    "Eau de Parfum": ("perfume", "perfumes"),
    "Sneakers": ("sneaker", "sneakers"),
    "Boots": ("boot", "boots"),
    "Dresses": ("dress", "dresses"),
    "Knitwear": ("knit", "knits"),
    "Jackets": ("jacket", "jackets"),
    "Shirts": ("shirt", "shirts"),
    "Bags": ("bag", "bags"),
    "Jewelry": ("jewelry piece", "jewelry pieces"),
    "Sunglasses": ("pair of sunglasses", "sunglasses"),
    "Cookware": ("pan", "pans"),
    "Coffee": ("coffee gadget", "coffee gadgets"),
    "Candles": ("candle", "candles"),
    "Vases": ("vase", "vases"),
    "Sheets": ("bedding set", "bedding sets"),
    "Indoor Plants": ("plant", "plants"),
    "Headphones": ("pair of headphones", "headphones"),
    "Speakers": ("speaker", "speakers"),
    "Cases": ("phone case", "phone cases"),
    "Chargers": ("charger", "chargers"),
    "Lighting": ("lamp", "lamps"),
    "Smartwatches": ("wearable", "wearables"),
    "Mats": ("mat", "mats"),
    "Activewear": ("workout set", "workout sets"),
    "Running Shoes": ("running shoe", "running shoes"),
    "Gear": ("running essential", "running essentials"),
    "Weights": ("weight", "weights"),
    "Backpacks": ("backpack", "backpacks"),
}
