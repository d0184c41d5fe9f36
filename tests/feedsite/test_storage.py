from django.core.files.base import ContentFile
from django.core.files.storage import storages

from feedsite import env
from feedsite.migrating import files_to_private


def test_moving_files_to_private_storage_takes_them_off_the_public_one_once(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    public, private = storages["default"], storages["private"]
    public.save("rankers/v1.pkl", ContentFile(b"model"))

    moved = files_to_private(["rankers/v1.pkl", "rankers/gone.pkl", ""])
    again = files_to_private(["rankers/v1.pkl"])

    assert (moved, again) == (1, 0)
    assert not public.exists("rankers/v1.pkl")
    with private.open("rankers/v1.pkl", "rb") as moved_file:
        assert moved_file.read() == b"model"


def test_private_files_live_outside_the_media_folder_or_behind_signed_urls():
    local = env.load({})
    s3 = env.load({"AWS_STORAGE_BUCKET_NAME": "feed-media"})

    assert local.private_storage["BACKEND"] == "feedsite.storage.PrivateFileSystemStorage"
    assert not local.private_storage["OPTIONS"]["location"].startswith(str(local.media_root))
    assert s3.private_storage["OPTIONS"] | {"endpoint_url": None, "region_name": None} == {
        "bucket_name": "feed-media",
        "location": "private",
        "endpoint_url": None,
        "region_name": None,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 300,
        "signature_version": "s3v4",
        "file_overwrite": False,
    }
