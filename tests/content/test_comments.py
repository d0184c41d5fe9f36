import pytest
from django.test import Client

from content.comment_checks import ALLOW, Verdict, comment_verdict
from content.models import Comment, ContentItem
from content.services import comment_create, comment_set_status
from content.signals import comment_submitted
from feedsite.errors import ApplicationError
from tests.factories import CommentFactory, ContentItemFactory, UserFactory

# Banned words and links are moderation rules: the default ones must be there.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_rules")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Love it", ALLOW),
        ("   ", Verdict("refuse", "empty", "Write something first.")),
        ("x" * 501, Verdict("refuse", "too_long", "Comments are at most 500 characters; yours has 501.")),
        # Banned words and links are moderation's default rules (moderation.checks), answering the signal.
        ("what an IDIOT", Verdict("refuse", "terms", "Please keep it kind: this uses words we don't allow.")),
        ("idiotic is fine", ALLOW),
        ("got it at shop.example.com", ALLOW),
        (
            "cheap at https://a.example and www.b.example",
            Verdict("hide", "links", "Your comment is checked by a moderator before it shows."),
        ),
    ],
)
def test_checks_allow_refuse_or_hide(body, expected):
    assert comment_verdict(body) == expected


def shouting_check(sender, body, **kwargs):
    return Verdict("hide", "shouting") if body.isupper() else None


@pytest.fixture
def shouting():
    """A check another app connects, as a moderation app would in its ``AppConfig.ready()``."""
    comment_submitted.connect(shouting_check)
    yield
    comment_submitted.disconnect(shouting_check)


def test_a_moderation_app_plugs_in_its_own_check(shouting):
    assert comment_verdict("BUY NOW") == Verdict("hide", "shouting")
    assert comment_verdict("Buy now") == ALLOW


def test_a_refusal_of_contents_own_checks_wins_over_a_plugged_in_hide(shouting):
    assert comment_verdict("X" * 501) == Verdict(
        "refuse", "too_long", "Comments are at most 500 characters; yours has 501."
    )


def test_a_hidden_comment_is_stored_hidden_with_its_reason():
    comment = comment_create(content=ContentItemFactory(), author=UserFactory(), body=" see a.com and b.com ")

    assert (comment.body, comment.status, comment.moderation_reason) == ("see a.com and b.com", "hidden", "links")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [("idiot", ContentItem.Status.PUBLISHED, "comment_refused"), ("nice", ContentItem.Status.REMOVED, "not_available")],
)
def test_a_refused_comment_is_not_stored(body, status, code):
    item = ContentItemFactory(status=status)

    with pytest.raises(ApplicationError) as refused:
        comment_create(content=item, author=UserFactory(), body=body)

    assert refused.value.code == code
    assert Comment.objects.count() == 0


def test_moderators_hide_and_show_a_comment():
    comment = CommentFactory()

    comment_set_status(comment=comment, status=Comment.Status.HIDDEN, reason="moderator")
    hidden = Comment.objects.values_list("status", "moderation_reason").get()
    comment_set_status(comment=comment, status=Comment.Status.VISIBLE)

    assert hidden == ("hidden", "moderator")
    assert Comment.objects.values_list("status", "moderation_reason").get() == ("visible", "")


def test_the_list_is_newest_first_paged_and_without_hidden_ones(settings, monkeypatch):
    monkeypatch.setattr("content.apis.COMMENTS_PAGE", 2)
    item = ContentItemFactory()
    oldest, middle = CommentFactory(content=item), CommentFactory(content=item)
    CommentFactory(content=item, status=Comment.Status.HIDDEN)
    newest = CommentFactory(content=item)
    client = Client()

    first = client.get(f"/api/v1/items/{item.pk}/comments").json()
    second = client.get(f"/api/v1/items/{item.pk}/comments", {"before": first["next_before"]}).json()

    assert [c["id"] for c in first["comments"]] == [newest.pk, middle.pk]
    assert first["next_before"] == middle.pk
    assert [c["id"] for c in second["comments"]] == [oldest.pk]
    assert second["next_before"] is None
    assert first["comments"][0]["author"] == {"username": newest.author.username, "name": newest.author.username}


def test_posting_needs_a_signed_in_account():
    item = ContentItemFactory()

    response = Client().post(f"/api/v1/items/{item.pk}/comments", {"body": "hi"}, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Sign in to comment."
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("Where is it from?", "visible", ""),
        ("a.com b.com", "hidden", "Thanks! Your comment is held for a moderator before it shows."),
    ],
)
def test_a_signed_in_shopper_posts(body, status, message):
    item, user = ContentItemFactory(), UserFactory(first_name="Mira")
    client = Client()
    client.force_login(user)

    response = client.post(f"/api/v1/items/{item.pk}/comments", {"body": body}, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["comment"]["status"] == status
    assert response.json()["comment"]["author"] == {"username": user.username, "name": "Mira"}
    assert response.json()["message"] == message
    assert Comment.objects.get().body == body


def test_a_refused_post_answers_the_checks_message():
    client = Client()
    client.force_login(UserFactory())
    item = ContentItemFactory()

    response = client.post(f"/api/v1/items/{item.pk}/comments", {"body": ""}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "comment_refused",
        "message": "Write something first.",
        "extra": {"reason": "empty"},
    }
