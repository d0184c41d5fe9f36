from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from moderation.checks.rules import (
    CAPTION,
    CHECK_OF_KIND,
    COMMENT,
    MEDIA,
    PROFILE,
    Context,
    Hit,
    Part,
    RuleBroken,
    applies,
    hamming,
    normalized,
    rule_validate,
)
from moderation.models import Rule
from tests.factories import CommentFactory, ContentItemFactory, CreatorFactory, RuleFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = Rule.Kind


def run(rule: Rule, part: Part) -> Hit | None:
    return CHECK_OF_KIND[rule.kind](rule, part, Context())


@pytest.mark.parametrize(
    ("kind", "parameter", "threshold", "text", "reason"),
    [
        (Kind.TERMS, "idiot\nrip off", None, "what an IDIOT", "Uses the banned term “idiot”."),
        (Kind.TERMS, "idiot\nrip off", None, "total rip off!", "Uses the banned term “rip off”."),
        (Kind.TERMS, "idiot\nrip off", None, "idiotic but fine", None),
        (Kind.PATTERN, r"(?i)\bwhats ?app\b", None, "Ping me on WhatsApp", "Matches the banned pattern at “WhatsApp”."),
        (Kind.PATTERN, r"(?i)\bwhats ?app\b", None, "what's happening", None),
        (Kind.LINKS, "", 1, "see a.com and www.b.example", "Has 2 links (more than 1)."),
        (Kind.LINKS, "", 1, "got it at shop.example.com", None),
        (Kind.LINKS, "", 0, "got it at shop.example.com", "Has 1 links (more than 0)."),
        (Kind.SHOUTING, "", 0.7, "BUY THIS NOW, IT IS great", "74% of its letters are capitals (more than 70%)."),
        (Kind.SHOUTING, "", 0.7, "Buy this now, it is great", None),
        (Kind.SHOUTING, "", 0.7, "OMG LOL", None),
    ],
)
def test_text_rules_hit_with_their_score_and_reason_or_miss(kind, parameter, threshold, text, reason):
    rule = RuleFactory.build(kind=kind, parameter=parameter, threshold=threshold, score=0.6)

    hit = run(rule, Part(COMMENT, text))

    assert hit == (Hit(0.6, reason) if reason else None)


def test_a_broken_pattern_is_reported_not_raised_as_anything_else():
    rule = RuleFactory.build(kind=Kind.PATTERN, parameter="(unclosed")

    with pytest.raises(RuleBroken, match="not a valid regular expression"):
        run(rule, Part(COMMENT, "anything"))


@pytest.mark.parametrize(("earlier", "hit"), [(1, False), (2, True)])
def test_repeated_comments_hit_past_the_threshold_within_the_window(earlier, hit):
    author = UserFactory()
    for _ in range(earlier):
        CommentFactory(author=author, body="Buy my stuff!!")
    CommentFactory(author=author, body="something else")
    CommentFactory(body="buy my stuff")  # somebody else's
    rule = RuleFactory.build(kind=Kind.REPEAT, parameter="60", threshold=2, score=0.6)

    found = run(rule, Part(COMMENT, "buy  MY stuff", user_id=author.pk))

    assert found == (Hit(0.6, "The same text 3 times within 60 minutes (more than 2).") if hit else None)


def test_repeats_outside_the_window_and_the_submission_itself_do_not_count():
    author = UserFactory()
    old = CommentFactory(author=author, body="same")
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    itself = CommentFactory(author=author, body="same")
    CommentFactory(author=author, body="same")
    rule = RuleFactory.build(kind=Kind.REPEAT, parameter="60", threshold=2)

    assert run(rule, Part(COMMENT, "same", user_id=author.pk, comment_id=itself.pk)) is None


def test_repeated_captions_count_the_creators_items():
    creator = CreatorFactory()
    first, second = (
        ContentItemFactory(creator=creator, caption="Sale!"),
        ContentItemFactory(creator=creator, caption="sale"),
    )
    ContentItemFactory(caption="sale")  # another creator's
    rule = RuleFactory.build(kind=Kind.REPEAT, parameter="60", threshold=1, score=0.4)

    found = run(rule, Part(CAPTION, "SALE", creator_id=creator.pk, item_id=second.pk))

    assert first.pk is not None
    assert found == Hit(0.4, "The same text 2 times within 60 minutes (more than 1).")


@pytest.mark.parametrize(("age_days", "hit"), [(1, True), (3, False)])
def test_new_accounts_hit_below_the_threshold_in_days(age_days, hit):
    user = UserFactory(date_joined=timezone.now() - timedelta(days=age_days, minutes=1))
    rule = RuleFactory.build(kind=Kind.NEW_ACCOUNT, threshold=3, score=0.2)

    found = run(rule, Part(CAPTION, "hello", user_id=user.pk))

    assert found == (Hit(0.2, f"The account is {age_days} days old (younger than 3 days).") if hit else None)


def test_a_creator_without_a_user_is_as_old_as_the_creator():
    creator = CreatorFactory(user=None)
    rule = RuleFactory.build(kind=Kind.NEW_ACCOUNT, threshold=3, score=0.2)

    assert run(rule, Part(CAPTION, "hello", creator_id=creator.pk)) == Hit(
        0.2, "The account is 0 days old (younger than 3 days)."
    )


@pytest.mark.parametrize(
    ("kind", "on", "part", "expected"),
    [
        (Kind.TERMS, {"on_comments": True}, COMMENT, True),
        (Kind.TERMS, {"on_comments": False}, COMMENT, False),
        (Kind.TERMS, {"on_media": True}, MEDIA, False),
        (Kind.REPEAT, {"on_profiles": True}, PROFILE, False),
        (Kind.NEAR_DUPLICATE, {"on_captions": True}, CAPTION, False),
        (Kind.NEAR_DUPLICATE, {"on_media": True}, MEDIA, True),
    ],
)
def test_a_rule_applies_to_the_parts_its_kind_reads_and_its_booleans_choose(kind, on, part, expected):
    assert applies(RuleFactory.build(kind=kind, **on), part) is expected


def test_text_is_normalized_before_it_is_compared():
    assert normalized("  Buy NOW!!  at\tthe-shop ") == "buy now at the shop"


def test_hamming_counts_differing_bits():
    assert (hamming("ffff000000000000", "ffff000000000000"), hamming("0000000000000000", "000000000000000f")) == (0, 4)


@pytest.mark.parametrize(
    ("kind", "parameter", "threshold", "score", "errors"),
    [
        (
            Kind.PATTERN,
            "(unclosed",
            None,
            0.5,
            {"parameter": ["Not a valid regular expression: missing ), unterminated subpattern at position 0."]},
        ),
        (Kind.PATTERN, "a*", None, 0.5, {"parameter": ["The pattern matches empty text, so it would hit everything."]}),
        (Kind.TERMS, " \n ", None, 0.5, {"parameter": ["List at least one banned word or phrase, one per line."]}),
        (Kind.REPEAT, "soon", 2, 0.5, {"parameter": ["The window in minutes, a whole number above 0."]}),
        (Kind.REPEAT, "60", 0, 0.5, {"threshold": ["A whole number from 1 or more."]}),
        (Kind.LINKS, "", 1.5, 0.5, {"threshold": ["A whole number from 0 or more."]}),
        (Kind.NEAR_DUPLICATE, "", 65, 0.5, {"threshold": ["A whole number from 0 to 64."]}),
        (Kind.NEW_ACCOUNT, "", None, 0.5, {"threshold": ["A number of days above 0."]}),
        (Kind.SHOUTING, "", 1.5, 0.5, {"threshold": ["A share between 0 and 1 (e.g. 0.7)."]}),
        (Kind.CLASSIFIER, "", 0.8, 1.5, {"score": ["A score is between 0 and 1."]}),
    ],
)
def test_a_rule_that_could_not_run_is_refused_per_field(kind, parameter, threshold, score, errors):
    with pytest.raises(ValidationError) as refused:
        rule_validate(kind=kind, parameter=parameter, threshold=threshold, score=score)

    assert refused.value.message_dict == errors


@pytest.mark.parametrize(
    ("kind", "parameter", "threshold"),
    [
        (Kind.PATTERN, r"\bfree\b", None),
        (Kind.REPEAT, "60", 2),
        (Kind.NEAR_DUPLICATE, "", 6),
        (Kind.CLASSIFIER, "", 0.8),
    ],
)
def test_a_sound_rule_passes_validation(kind, parameter, threshold):
    rule_validate(kind=kind, parameter=parameter, threshold=threshold, score=0.5)
