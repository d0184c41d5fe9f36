"""Privacy's actions on the shoppers' admin page: export a shopper's data, erase a shopper.

The page belongs to the identity layer (``profiles.admin.ShopperAdmin``), which never imports
privacy: the actions join it here, after ``profiles.admin`` registered it (apps load in order).
"""

from django.contrib import admin

from profiles.models import Shopper
from profiles.privacy.actions import erase_shoppers, export_shopper_data

shoppers = admin.site.get_model_admin(Shopper)
# Erasure checks the delete permission itself.
shoppers.actions = (*(shoppers.actions or ()), export_shopper_data, erase_shoppers)
