"""A real S3-compatible server for the storage tests: moto's standalone server on a loopback port.

The server runs in a subprocess for the whole test session (one per xdist worker) and is spoken to
over HTTP by boto3 and django-storages exactly as a bucket would be; each test gets fresh buckets
and ``STORAGES`` pointed at them (``s3_storages``).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from django.core.files.storage import storages

from feedsite import env

REGION = "eu-west-1"
KEYS = {"access_key": "feedsite-test", "secret_key": "feedsite-test-secret"}
STARTUP_SECONDS = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _moto_server_command() -> list[str]:
    """The ``moto_server`` script of this interpreter's environment (moto[server] in requirements-dev)."""
    script = Path(sys.executable).with_name("moto_server")
    return [str(script)] if script.exists() else [shutil.which("moto_server") or "moto_server"]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a moto server started for this session, stopped at its end."""
    port = _free_port()
    process = subprocess.Popen(
        [*_moto_server_command(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited: {process.stderr.read().decode() if process.stderr else ''}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not listen on {endpoint} within {STARTUP_SECONDS} s") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def public_read_policy(bucket: str) -> dict[str, Any]:
    """Anyone may GET the bucket's objects (docs/storage.md: the media bucket's policy)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


@dataclass(frozen=True)
class S3:
    endpoint: str
    client: BaseClient
    public_bucket: str
    private_bucket: str

    def head(self, bucket: str, key: str) -> dict[str, Any]:
        return dict(self.client.head_object(Bucket=bucket, Key=key))

    def keys(self, bucket: str) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=bucket)
        return sorted(entry["Key"] for entry in listed.get("Contents", []))


@pytest.fixture
def s3_storages(settings, s3_endpoint) -> S3:
    """Two fresh buckets on the server, and ``STORAGES`` as ``feedsite.env`` builds them for S3:
    public media in one (``feedsite.s3.MediaS3Storage``), private files under ``private/`` of the
    other (``AWS_PRIVATE_BUCKET_NAME``: signed URLs only)."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    suffix = uuid.uuid4().hex[:12]
    public, private = f"media-{suffix}", f"private-{suffix}"
    for bucket in (public, private):
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    # Shoppers read the media bucket anonymously, as a bucket policy (or the CDN in front) allows.
    client.put_bucket_policy(Bucket=public, Policy=json.dumps(public_read_policy(public)))
    # The configuration production builds from these variables (feedsite.env), plus the server's keys.
    config = env.load(
        {
            "AWS_STORAGE_BUCKET_NAME": public,
            "AWS_PRIVATE_BUCKET_NAME": private,
            "AWS_S3_ENDPOINT_URL": s3_endpoint,
            "AWS_S3_REGION_NAME": REGION,
        }
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**config.storage, "OPTIONS": {**config.storage["OPTIONS"], **KEYS}},
        "private": {**config.private_storage, "OPTIONS": {**config.private_storage["OPTIONS"], **KEYS}},
    }
    assert storages["default"].bucket_name == public  # type: ignore[attr-defined]
    return S3(endpoint=s3_endpoint, client=client, public_bucket=public, private_bucket=private)
