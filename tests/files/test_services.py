"""The upload service and its HTTP upload handler: limits hold whatever the interface,
and a failed upload leaves no bytes behind."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.errors import InvalidInput
from apps.files import storage
from apps.files.api.uploads import BoundedUploadHandler
from apps.files.errors import PayloadTooLarge
from apps.files.models import FileInfo
from apps.files.services import file_upload
from tests.channels.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return build_world()


def test_the_service_enforces_the_size_limit_for_every_interface(world: World, settings) -> None:
    settings.CONFAB_MAX_FILE_SIZE = 10
    with pytest.raises(PayloadTooLarge):
        file_upload(
            actor=world.alice, channel=world.lobby, files=[ContentFile(b"x" * 11, name="a.txt")]
        )
    assert not FileInfo.objects.exists()


def test_a_failure_while_storing_removes_the_bytes_already_stored(
    world: World, monkeypatch
) -> None:
    saved: list[str] = []
    real_save = storage.blob_save

    def flaky_save(*, key, content):
        if saved:
            raise OSError("disk full")
        saved.append(real_save(key=key, content=content))
        return saved[-1]

    monkeypatch.setattr(storage, "blob_save", flaky_save)
    with pytest.raises(OSError):
        file_upload(
            actor=world.alice,
            channel=world.lobby,
            files=[SimpleUploadedFile("a.txt", b"a"), SimpleUploadedFile("b.txt", b"b")],
        )
    assert saved and not default_storage.exists(saved[0])
    assert not FileInfo.objects.exists()


def test_storage_keys_are_built_from_ids_only() -> None:
    key = storage.storage_key(file_id="ybndrfg8ejkmcpqxot1uwisza3", create_at=0)
    assert key == "files/19700101/ybndrfg8ejkmcpqxot1uwisza3/data"
    with pytest.raises(ValueError, match="unsafe"):
        storage.storage_key(file_id="../../../../etc/passwd0000", create_at=0)


def test_the_upload_handler_stops_a_request_as_soon_as_it_is_too_big(settings) -> None:
    settings.CONFAB_MAX_FILE_SIZE = 100
    handler = BoundedUploadHandler()
    with pytest.raises(PayloadTooLarge):
        handler.handle_raw_input(None, {}, 10 * 100 + 1024 * 1024 + 1, b"boundary")
    handler.handle_raw_input(None, {}, 500, b"boundary")
    handler.new_file("files", "a.bin", "application/octet-stream", None)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(PayloadTooLarge):
        handler.receive_data_chunk(b"x" * 41, 60)
    for n in range(9):
        handler.new_file("files", f"{n}.bin", "application/octet-stream", None)
    with pytest.raises(InvalidInput):
        handler.new_file("files", "eleventh.bin", "application/octet-stream", None)
