"""A message's email: its parts, headers and links; who gets none; a mail server that fails."""

from __future__ import annotations

import smtplib
from decimal import Decimal
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail

from feedsite.celery import app
from profiles.messages import tasks, tokens
from profiles.messages.models import Message, MessageKind
from profiles.messages.services import message_create, message_preference_set
from tests.factories import CartLineFactory, ProductFactory, ShopperFactory, UserFactory
from tests.profiles.messages.conftest import product_set, sent_to

pytestmark = pytest.mark.django_db


def price_drop_to(shopper, key="k1"):
    product = ProductFactory(title="Linen shirt", price=Decimal("40.00"))
    message, _ = message_create(
        shopper=shopper,
        kind=MessageKind.PRICE_DROP,
        subject="Price drop: Linen shirt is now €40.00",
        body="Linen shirt went down from €50.00 to €40.00.",
        dedupe_key=key,
        product=product,
    )
    return message


def test_the_email_has_text_and_html_parts_tracked_links_and_one_click_unsubscribe_headers(committed):
    shopper = ShopperFactory()
    message = price_drop_to(shopper)

    with committed():
        tasks.emails_queue([message.pk])

    (email,) = mail.outbox
    track = tokens.tracking_token(message.pk)
    kind_token = tokens.unsubscribe_token(shopper_id=shopper.pk, kind="price_drop")
    all_token = tokens.unsubscribe_token(shopper_id=shopper.pk, kind="all")
    assert (email.subject, email.to, email.from_email) == (
        message.subject,
        [shopper.user.email],
        "feedsite <noreply@localhost>",
    )
    assert email.extra_headers == {
        "List-Unsubscribe": f"<https://shop.example/messages/unsubscribe/{kind_token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert "Linen shirt went down from €50.00 to €40.00." in email.body
    assert f"See Linen shirt: https://shop.example/m/{track}/c" in email.body
    assert f"Stop price drop emails: https://shop.example/messages/unsubscribe/{kind_token}" in email.body
    assert f"Stop all emails: https://shop.example/messages/unsubscribe/{all_token}" in email.body
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert f'href="https://shop.example/m/{track}/c"' in html
    assert f'src="https://shop.example/m/{track}/o.gif"' in html
    assert f'href="https://shop.example/messages/unsubscribe/{kind_token}"' in html
    assert Message.objects.get().emailed_at is not None


def test_sending_twice_emails_once(committed):
    message = price_drop_to(ShopperFactory())

    with committed():
        tasks.emails_queue([message.pk])
    assert tasks.message_email(message.pk) is False

    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "shopper_of",
    [
        pytest.param(lambda: ShopperFactory(user=None), id="a visitor"),
        pytest.param(lambda: ShopperFactory(user=UserFactory(email="")), id="an account without an address"),
        pytest.param(lambda: ShopperFactory(user=UserFactory(is_active=False)), id="a deactivated account"),
    ],
)
def test_nobody_to_reach_gets_the_message_in_the_inbox_only(shopper_of, committed):
    shopper = shopper_of()
    message = price_drop_to(shopper)

    with committed():
        tasks.emails_queue([message.pk])

    assert mail.outbox == []
    assert list(Message.objects.values_list("shopper_id", "emailed_at")) == [(shopper.pk, None)]


def test_a_shopper_who_turned_a_kind_off_gets_it_in_the_inbox_only(committed):
    shopper = ShopperFactory()
    message_preference_set(shopper=shopper, emails={"price_drop": False})
    message = price_drop_to(shopper)

    with committed():
        tasks.emails_queue([message.pk])

    assert mail.outbox == []
    assert Message.objects.get().pk == message.pk


def test_unsubscribing_after_the_email_was_queued_still_stops_it():
    shopper = ShopperFactory()
    message = price_drop_to(shopper)
    message_preference_set(shopper=shopper, emails={"price_drop": False})

    assert tasks.message_email(message.pk) is False
    assert mail.outbox == []
    assert Message.objects.get().emailed_at is None


FAILURE = smtplib.SMTPServerDisconnected("connection closed")
FAILING_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


@pytest.mark.parametrize(("retries", "countdown"), [(0, 60), (1, 120), (3, 480)])
def test_a_failing_mail_server_is_retried_later_by_a_worker(retries, countdown):
    message = price_drop_to(ShopperFactory())
    tasks.message_email.push_request(retries=retries, is_eager=False)
    try:
        with (
            mock.patch(FAILING_SEND, side_effect=FAILURE),
            mock.patch.object(tasks.message_email, "retry", return_value=Retry()) as retry,
            pytest.raises(Retry),
        ):
            tasks.message_email.run(message.pk)
    finally:
        tasks.message_email.pop_request()

    retry.assert_called_once_with(exc=FAILURE, countdown=countdown)
    assert Message.objects.get().emailed_at is None


def test_after_the_last_retry_the_email_is_given_up_and_the_message_stays_in_the_inbox(caplog):
    message = price_drop_to(ShopperFactory())
    tasks.message_email.push_request(retries=tasks.EMAIL_MAX_RETRIES, is_eager=False)
    try:
        with mock.patch(FAILING_SEND, side_effect=FAILURE):
            assert tasks.message_email.run(message.pk) is False
    finally:
        tasks.message_email.pop_request()

    assert f"message {message.pk} not emailed after 5 tries" in caplog.text
    assert list(Message.objects.values_list("pk", "emailed_at")) == [(message.pk, None)]


def test_inline_a_failing_mail_server_is_not_retried_and_the_trigger_still_completes(committed):
    product = ProductFactory(price=Decimal("30.00"))
    shopper = CartLineFactory(product=product).cart.shopper

    with mock.patch(FAILING_SEND, side_effect=FAILURE) as send, committed():
        product_set(product, price=Decimal("20.00"))

    assert send.call_count == 1
    assert list(Message.objects.values_list("shopper_id", "emailed_at")) == [(shopper.pk, None)]
    assert sent_to() == []


def test_a_trigger_run_twice_makes_one_message():
    shopper = ShopperFactory()
    first = price_drop_to(shopper, key="same")
    second, created = message_create(
        shopper=shopper, kind=MessageKind.PRICE_DROP, subject="again", body="again", dedupe_key="same"
    )

    assert (second.pk, created) == (first.pk, False)
    assert list(Message.objects.values_list("subject", flat=True)) == ["Price drop: Linen shirt is now €40.00"]


@pytest.mark.parametrize("task", [tasks.message_email, tasks.messages_scan, tasks.back_in_stock, tasks.price_drop])
def test_the_messages_tasks_go_to_their_own_queue(task):
    assert app.amqp.router.route({}, task.name)["queue"].name == "messages"


def test_a_title_with_a_line_break_makes_a_one_line_subject_and_the_email_goes(committed):
    shopper = ShopperFactory()
    message, _ = message_create(
        shopper=shopper,
        kind=MessageKind.BACK_IN_STOCK,
        subject="Back in stock: Mug\r\nBcc: everyone@example.com",
        body="b",
        dedupe_key="newline",
    )

    with committed():
        tasks.emails_queue([message.pk])

    assert Message.objects.get().subject == "Back in stock: Mug Bcc: everyone@example.com"
    assert [email.subject for email in mail.outbox] == ["Back in stock: Mug Bcc: everyone@example.com"]
