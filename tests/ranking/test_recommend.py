"""``manage.py recommend``: the evaluation contract's last command (``../shared/eval/README.md``)."""

import json

import pytest
from django.core.management import call_command

from ranking.management.commands import recommend
from ranking.training import ranker_train

pytestmark = pytest.mark.usefixtures("ranker_storage")


def _recommend(tmp_path, users: list[str], name: str) -> list[dict]:
    (tmp_path / "users.txt").write_text("\n".join(users) + "\n")
    out = tmp_path / name
    call_command("recommend", users=str(tmp_path / "users.txt"), k=5, out=str(out), verbosity=0)
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.mark.django_db(transaction=True)
def test_each_user_gets_k_unseen_items_by_dataset_id_in_file_order_however_many_threads(shop, tmp_path, monkeypatch):
    _, items, shoppers = shop
    for n, (shopper, _) in enumerate(shoppers):
        shopper.external_id = f"user-{n}"
        shopper.save(update_fields=["external_id"])
    for group in items.values():
        for item in group:
            item.external_id = f"item-{item.pk}"
            item.save(update_fields=["external_id"])
    ranker_train(activate="always", rounds=20)
    users = [f"user-{n}" for n in (7, 3, 11, 0)] + ["somebody-new"]

    monkeypatch.setattr(recommend, "THREADS", 1)
    alone = _recommend(tmp_path, users, "alone.jsonl")
    monkeypatch.setattr(recommend, "THREADS", 3)
    side_by_side = _recommend(tmp_path, users, "threads.jsonl")

    assert side_by_side == alone
    assert [row["user_id"] for row in alone] == users
    for row in alone:
        assert len(row["items"]) == 5
        assert all(item.startswith("item-") for item in row["items"])
    for row, (shopper, _) in zip(alone, [shoppers[n] for n in (7, 3, 11, 0)], strict=False):
        seen = {f"item-{pk}" for pk in shopper.interactions.values_list("content_id", flat=True)}
        assert not seen & set(row["items"])


@pytest.mark.django_db
def test_inside_a_transaction_the_shoppers_are_ranked_where_the_transactions_data_is_seen(shop, tmp_path):
    # A worker thread's connection would not see this test's uncommitted shop.
    _, _, shoppers = shop
    shopper = shoppers[0][0]
    shopper.external_id = "user-0"
    shopper.save(update_fields=["external_id"])
    ranker_train(activate="always", rounds=20)

    (row,) = _recommend(tmp_path, ["user-0"], "in-transaction.jsonl")

    seen = {str(pk) for pk in shopper.interactions.values_list("content_id", flat=True)}
    assert len(row["items"]) == 5
    assert not seen & set(row["items"])
