"""Staff review creator applications in admin, through ``creator_review``; brands get their merchants."""

import pytest
from django.urls import reverse

from content.models import Brand, Creator
from tests.factories import BrandFactory, CreatorFactory, UserFactory

pytestmark = pytest.mark.django_db


def _act(admin_client, action: str, creators: list[Creator], note: str = ""):
    return admin_client.post(
        reverse("admin:content_creator_changelist"),
        {"action": action, "_selected_action": [c.pk for c in creators], "note": note, "index": 0},
        follow=True,
    )


def test_staff_approve_selected_applications_stamped(admin_client):
    waiting = [CreatorFactory(status=Creator.Status.APPLIED) for _ in range(2)]
    other = CreatorFactory(status=Creator.Status.APPLIED)

    response = _act(admin_client, "approve", waiting)

    assert response.status_code == 200
    assert "Approved 2 creator(s)." in response.content.decode()
    for creator in waiting:
        creator.refresh_from_db()
        assert creator.status == Creator.Status.APPROVED
        assert creator.reviewed_at is not None
    other.refresh_from_db()
    assert (other.status, other.reviewed_at) == (Creator.Status.APPLIED, None)


def test_staff_decline_with_a_note_the_applicant_reads(admin_client):
    creator = CreatorFactory(status=Creator.Status.APPLIED)

    _act(admin_client, "decline", [creator], note="Show us a few of your posts first.")

    creator.refresh_from_db()
    assert (creator.status, creator.status_note) == (Creator.Status.DECLINED, "Show us a few of your posts first.")
    assert creator.reviewed_at is not None


def test_the_creator_changelist_filters_by_status(admin_client):
    waiting = CreatorFactory(status=Creator.Status.APPLIED)
    CreatorFactory()

    response = admin_client.get(reverse("admin:content_creator_changelist"), {"status__exact": "applied"})

    assert [row.pk for row in response.context["cl"].result_list] == [waiting.pk]


def test_staff_link_merchant_accounts_to_a_brand(admin_client):
    brand = BrandFactory(name="Lumi", slug="lumi")
    merchant = UserFactory()

    admin_client.post(
        reverse("admin:content_brand_change", args=[brand.pk]),
        {"name": "Lumi", "slug": "lumi", "merchants": [merchant.pk]},
    )

    assert list(Brand.objects.get(pk=brand.pk).merchants.all()) == [merchant]
