import pytest

from content.models import ContentItem, Product
from feedsite.sql import Table


def test_a_table_reads_as_its_name_and_answers_its_columns_by_field_and_attribute_name():
    products = Table(Product)

    assert f"UPDATE {products} SET {products.stock} = 0" == "UPDATE content_product SET stock = 0"
    assert (products.brand, products.brand_id, products.id) == ("brand_id", "brand_id", "id")
    assert Table(ContentItem.tags.through).contentitem == "contentitem_id"


def test_a_column_the_model_lacks_is_an_error():
    with pytest.raises(AttributeError, match="content_product has no column for 'stok'"):
        _ = Table(Product).stok
