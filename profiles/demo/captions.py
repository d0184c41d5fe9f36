"""What the demo's posts say: caption templates, praise, topics, video headlines. Data only."""

from __future__ import annotations

TOPICS: dict[str, tuple[str, ...]] = {
    "ugc": ("GRWM", "Haul", "Honest Review", "Routine", "OOTD", "Unboxing", "Dupe", "Before and After"),
    "brand": ("New In", "Launch", "Bestseller", "Behind the Scenes"),
    "editorial": ("Editors Pick", "Gift Ideas", "Trending", "Under 50"),
    "promoted": ("Sale", "Limited Drop", "Bestseller"),
}
TOP_TOPICS: dict[str, tuple[str, ...]] = {
    "Beauty": ("Skincare", "Self Care"),
    "Fashion": ("Outfit Ideas", "Sustainable Fashion"),
    "Home": ("Small Space", "Home Cooking"),
    "Tech": ("Desk Setup", "Travel Tech"),
    "Sports": ("Workout", "Wellness"),
}

# What people say about things in each top category; generic enough for every leaf in it.
PRAISE: dict[str, tuple[str, ...]] = {
    "Beauty": (
        "my routine has never felt this easy",
        "a little goes a really long way",
        "no sticky finish, sinks right in",
        "it lives in my bag now",
        "the texture is so good",
    ),
    "Fashion": (
        "it goes with literally everything",
        "the fit is unreal",
        "comfy enough to wear all day",
        "I get asked where it's from every time",
        "the quality for the price is wild",
    ),
    "Home": (
        "tiny flat, big upgrade",
        "it makes Sunday mornings feel like a café",
        "looks way more expensive than it is",
        "I use it every single day",
        "the whole room feels different",
    ),
    "Tech": (
        "battery lasts all week",
        "set up in two minutes, no app drama",
        "way better than it has any right to be",
        "my desk finally looks clean",
        "travel-proof, tested on three trips",
    ),
    "Sports": (
        "survived a half marathon in the rain",
        "zero slipping, even in hot yoga",
        "my new favourite training buddy",
        "light enough that I forget it's there",
        "worth every cent for early runs",
    ),
}

CAPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("ugc", "video"): (
        "Been using the {product} for {weeks} weeks and {praise} {emoji}",
        "GRWM ft. the {product} ({brand}). Tap the card to shop {emoji}",
        "Honest review: {product}. Worth {price}? {verdict}",
        "POV: you finally found the perfect {leaf} {emoji}",
        "Dupe or the real deal? Testing the {product} side by side",
        "My {leaf} rotation right now. The {product} is the MVP {emoji}",
        "Unboxing my {brand} order! First impressions of the {product}",
        "3 reasons the {product} lives rent-free in my head",
    ),
    ("ugc", "image"): (
        "{product} from {brand}: {praise} {emoji}",
        "Current obsession: the {product}. {verdict}",
        "Small change, big difference: the {product} {emoji}",
        "Restocked the {product} for the third time, says it all",
        "Before and after a month with the {product}. {praise}",
    ),
    ("brand", "video"): (
        "New in: the {product}. Made for every day {emoji}",
        "Meet the {product}. {claim}",
        "Behind the scenes: how we make the {product}",
        "One {leaf}, five ways. Which one is you?",
    ),
    ("brand", "image"): (
        "The {product} in {variant}. {claim}",
        "Our bestselling {leaf}, now back in stock",
        "Designed in-house, tested by you: the {product}",
    ),
    ("editorial", "video"): (
        "We tested 12 {leaf_plural}. This one won: the {product}",
        "Editors' pick of the week: {product} by {brand}",
        "The {leaf} everyone is adding to cart right now",
    ),
    ("editorial", "image"): (
        "5 {leaf_plural} under {price_cap} we'd actually buy",
        "Gift idea: the {product}. Under {price_cap}, looks way more",
        "Trending this week: {product} from {brand}",
    ),
    ("promoted", "video"): (
        "Limited drop: the {product}, now {price} {emoji}",
        "Last chance: the {product} is almost sold out",
        "{brand} x you: the {product} at {price} this week only",
    ),
    ("promoted", "image"): (
        "Only {price}: the {product}. Tap to shop",
        "Bestseller alert: {product} by {brand}",
    ),
    ("brand", "product_card"): (
        "{product}",
        "{product} · {variant}",
        "New in: {product}",
    ),
    ("promoted", "product_card"): (
        "{product}, now {price}",
        "Bestseller: {product}",
    ),
    ("editorial", "product_card"): (
        "Editors' pick: {product}",
        "Under {price_cap}: {product}",
    ),
    ("brand", "brand_post"): (
        "{campaign}. Discover the new {brand} collection {emoji}",
        "{campaign}: our favourite pieces this season",
        "From our studio to your feed. {campaign} is here",
        "Free shipping on every {brand} order this weekend {emoji}",
    ),
    ("promoted", "brand_post"): (
        "{campaign}: up to 30% off selected {leaf_plural}",
        "{brand} summer sale starts now {emoji}",
    ),
}
# Shopper-creators' captions that only fit one top category (used for two posts in five).
TOP_CAPTIONS: dict[str, tuple[str, ...]] = {
    "Beauty": (
        "Shelfie time. The {product} earned its spot {emoji}",
        "Glow check after {weeks} weeks with the {product}: {praise}",
        "Everyday makeup bag, ft. the {product} ({variant})",
    ),
    "Fashion": (
        "Outfit of the day, built around the {product} {emoji}",
        "Styled the {product} three ways. Which one wins?",
        "Wore the {product} all week and {praise}",
    ),
    "Home": (
        "Sunday reset with the {product} {emoji}",
        "Rental-friendly upgrade: the {product}. {praise}",
        "Corner of my flat I love most, thanks to the {product}",
    ),
    "Tech": (
        "Desk setup update: added the {product} {emoji}",
        "Week one with the {product}: {praise}",
        "What's in my tech pouch, ft. the {product}",
    ),
    "Sports": (
        "Training log: {weeks} weeks with the {product} {emoji}",
        "Post-workout glow, ft. the {product}",
        "Packed for a long run: the {product} made the cut",
    ),
}
VERDICTS: tuple[str, ...] = (
    "100% yes.",
    "Yes, and I'd buy it again.",
    "For me, absolutely.",
    "Honestly? Yes.",
    "Mostly!",
)
CLAIMS: tuple[str, ...] = (
    "Made to last, priced to wear.",
    "Small batch, big difference.",
    "Designed with our community.",
    "Now in more shades and sizes.",
)
EMOJI: tuple[str, ...] = ("✨", "🫶", "🔥", "💛", "👀", "🙌", "💯", "")

# Headlines shown in the pooled demo videos, by top category.
VIDEO_HEADLINES: dict[str, tuple[str, ...]] = {
    "Beauty": ("3-step morning skincare", "Get ready with me", "Dupe or the real deal?", "Evening reset routine"),
    "Fashion": ("5 ways to style one piece", "Outfit of the week", "Sneaker rotation check", "Try-on haul"),
    "Home": ("Small kitchen, big upgrade", "Sunday reset at home", "Cosy corner makeover", "Coffee bar tour"),
    "Tech": ("Desk setup tour", "Unboxing the new drop", "Is it worth the hype?", "Travel tech essentials"),
    "Sports": ("Morning run essentials", "20-minute yoga flow", "Gym bag check", "Trail day prep"),
}
VIDEO_BADGES: tuple[str, ...] = ("NEW", "HAUL", "REVIEW", "TOP PICK", "-20%", "TRENDING")
