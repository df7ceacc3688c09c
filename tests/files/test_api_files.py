"""Files over HTTP: multipart upload with its limits, access-checked downloads with safe
headers, and file metadata."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.channels.services import channel_member_remove
from apps.core.ids import new_id
from apps.files.models import FileInfo
from apps.posts.services import post_delete
from tests.channels.world import World, build_world, say
from tests.files.helpers import gif_bytes, jpeg_bytes, png_bytes, upload, webp_bytes

pytestmark = pytest.mark.django_db

FILE_INFO_KEYS = {
    "id",
    "user_id",
    "channel_id",
    "create_at",
    "update_at",
    "delete_at",
    "name",
    "extension",
    "size",
    "mime_type",
    "mini_preview",
    "remote_id",
    "archived",
}


@pytest.fixture
def world(db) -> World:
    return build_world()


def _files(*named: tuple[str, bytes]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, content) for name, content in named]


def post_files(api, data: dict, *, status: int = 201, query: str = "") -> dict:
    """A multipart POST /files as the clients send it (parts in the dict's order)."""
    response = api.client.post(f"/api/v4/files{query}", data, **api._headers())
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if status >= 400:
        assert body["status_code"] == status and body["id"] and body["message"]
    return body


def download(user, file_id: str, **params):
    client = Client()
    headers = {}
    if user is not None:
        from apps.accounts.services.sessions import session_create

        _session, token = session_create(user=user)
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get(f"/api/v4/files/{file_id}", params, **headers)


def _blob_keys(folder: str = "") -> set[str]:
    """Every key in storage (the in-memory storage is shared by the tests of a process)."""
    if folder and not default_storage.exists(folder):
        return set()
    folders, files = default_storage.listdir(folder)
    keys = {f"{folder}/{name}" if folder else name for name in files}
    for sub in folders:
        keys |= _blob_keys(f"{folder}/{sub}" if folder else sub)
    return keys


# --- upload ----------------------------------------------------------------------------------


def test_an_upload_answers_201_with_file_infos_and_client_ids(world: World, api_as) -> None:
    body = post_files(
        api_as(world.alice),
        {
            # The `mattermost` package sends the file part before channel_id.
            "files": _files(("notes.txt", b"launch checklist\n"), ("plan.PDF", b"%PDF-1.4")),
            "channel_id": world.lobby.id,
            "client_ids": ["c1", "c2"],
        },
    )
    assert set(body) == {"file_infos", "client_ids"}
    assert body["client_ids"] == ["c1", "c2"]
    notes, plan = body["file_infos"]
    assert set(notes) == FILE_INFO_KEYS  # unattached: no post_id; not an image: no size
    assert (notes["name"], notes["extension"], notes["mime_type"], notes["size"]) == (
        "notes.txt",
        "txt",
        "text/plain",
        17,
    )
    assert (notes["user_id"], notes["channel_id"], notes["delete_at"]) == (
        world.alice.id,
        world.lobby.id,
        0,
    )
    assert (plan["extension"], plan["mime_type"]) == ("pdf", "application/pdf")
    assert "path" not in notes
    stored = FileInfo.objects.get(id=notes["id"])
    assert stored.post_id is None
    with default_storage.open(stored.path) as handle:
        assert handle.read() == b"launch checklist\n"


def test_channel_id_may_come_first_or_in_the_query(world: World, api_as) -> None:
    api = api_as(world.alice)
    first = post_files(api, {"channel_id": world.lobby.id, "files": _files(("a.txt", b"a"))})
    assert first["client_ids"] == []
    query = post_files(
        api, {"files": _files(("b.txt", b"b"))}, query=f"?channel_id={world.lobby.id}"
    )
    assert query["file_infos"][0]["channel_id"] == world.lobby.id


def test_images_are_measured_from_their_header(world: World, api_as) -> None:
    body = post_files(
        api_as(world.alice),
        {
            "channel_id": world.lobby.id,
            "files": _files(
                ("a.png", png_bytes(3, 2)),
                ("b.gif", gif_bytes(4, 5)),
                ("c.jpg", jpeg_bytes(640, 480)),
                ("d.webp", webp_bytes(7, 9)),
                ("fake.png", b"not an image at all"),
                ("real-png.jpg", png_bytes(1, 1)),
            ),
        },
    )
    measured = [(i["mime_type"], i.get("width"), i.get("height")) for i in body["file_infos"]]
    assert measured == [
        ("image/png", 3, 2),
        ("image/gif", 4, 5),
        ("image/jpeg", 640, 480),
        ("image/webp", 7, 9),
        ("image/png", None, None),  # claims to be an image; never shown as one
        ("image/png", 1, 1),  # the bytes decide the type
    ]


def test_an_image_too_large_to_process_is_refused(world: World, api_as, settings) -> None:
    settings.CONFAB_MAX_IMAGE_RESOLUTION = 100 * 100
    body = post_files(
        api_as(world.alice),
        {"channel_id": world.lobby.id, "files": _files(("big.png", png_bytes(101, 100)))},
        status=400,
    )
    assert body["id"] == "api.file.upload_file.large_image_detailed.app_error"
    assert not FileInfo.objects.exists()


def test_a_path_in_the_file_name_is_dropped_and_never_reaches_storage(world: World, api_as) -> None:
    body = post_files(
        api_as(world.alice),
        {
            "channel_id": world.lobby.id,
            "files": _files(("../../etc/passwd", b"root:x"), ("..\\..\\boot.ini", b"x")),
        },
    )
    names = [info["name"] for info in body["file_infos"]]
    assert names == ["passwd", "boot.ini"]
    for info in FileInfo.objects.all():
        assert ".." not in info.path and "passwd" not in info.path and "boot" not in info.path
        assert info.path == f"files/{info.path.split('/')[1]}/{info.id}/data"


def test_an_oversized_upload_is_refused_with_413_and_nothing_is_stored(
    world: World, api_as, settings
) -> None:
    settings.CONFAB_MAX_FILE_SIZE = 1024
    api = api_as(world.alice)
    before = _blob_keys()
    body = post_files(
        api,
        {
            "channel_id": world.lobby.id,
            "files": _files(("ok.txt", b"fine"), ("big.bin", b"x" * 1025)),
        },
        status=413,
    )
    assert body["id"] == "api.file.upload_file.too_large_detailed.app_error"
    assert not FileInfo.objects.exists()
    assert _blob_keys() == before
    post_files(api, {"channel_id": world.lobby.id, "files": _files(("edge.bin", b"x" * 1024))})


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"channel_id": "TOWN"}, 400),  # no file
        ({"files": [("a.txt", b"a")]}, 400),  # no channel
        ({"channel_id": "TOWN", "files": [("a.txt", b"a")] * 11}, 400),  # too many
        ({"channel_id": "TOWN", "files": [("a.txt", b"a")], "client_ids": ["1", "2"]}, 400),
        ({"channel_id": "SECRET", "files": [("a.txt", b"a")]}, 404),  # hidden from dave
        ({"channel_id": "NOWHERE", "files": [("a.txt", b"a")]}, 404),
        ({"channel_id": "TOWN", "files": [("a.txt", b"a")]}, 201),  # dave's own channel
        ({"channel_id": "LOBBY", "files": [("a.txt", b"a")]}, 403),  # readable, not joined
    ],
    ids=[
        "no-file",
        "no-channel",
        "eleven-files",
        "client-id-count",
        "private",
        "unknown",
        "member",
        "not-joined",
    ],
)
def test_uploads_that_are_refused(world: World, api_as, data, status) -> None:
    channels = {
        "LOBBY": world.lobby.id,
        "SECRET": world.secret.id,
        "TOWN": world.town_square.id,
        "NOWHERE": new_id(),
    }
    form = {k: channels.get(v, v) if k == "channel_id" else v for k, v in data.items()}
    if "files" in form:
        form["files"] = _files(*form["files"])
    post_files(api_as(world.dave), form, status=status)
    assert FileInfo.objects.count() == (1 if status == 201 else 0)


def test_a_json_body_is_not_an_upload(world: World, api_as) -> None:
    api_as(world.alice).post("files", {"channel_id": world.lobby.id}, status=400)


def test_uploading_needs_a_session(world: World, api_as) -> None:
    post_files(
        api_as(None),
        {"channel_id": world.lobby.id, "files": _files(("a.txt", b"a"))},
        status=401,
    )
    assert not FileInfo.objects.exists()


# --- download --------------------------------------------------------------------------------


def _attached(world: World, name: str, content: bytes, channel=None) -> FileInfo:
    channel = channel or world.lobby
    info = upload(world.alice, channel, name, content)
    say(world.alice, channel, "", file_ids=[info.id])
    return FileInfo.objects.get(id=info.id)


@pytest.mark.parametrize(
    ("name", "content", "mime_type"),
    [
        ("page.html", b"<script>alert(1)</script>", "text/html"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', None),
        ("notes.txt", b"plain", "text/plain"),
        ("fake.png", b"<script>alert(1)</script>", "image/png"),
    ],
)
def test_anything_but_a_verified_raster_image_downloads_as_an_attachment(
    world: World, name, content, mime_type
) -> None:
    info = _attached(world, name, content)
    response = download(world.bob, info.id)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")
    assert name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    if mime_type:
        assert response["Content-Type"] == mime_type


def test_raster_images_show_inline_unless_a_download_is_asked_for(world: World) -> None:
    info = _attached(world, "photo.png", png_bytes(2, 2))
    response = download(world.bob, info.id)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    forced = download(world.bob, info.id, download="1")
    assert forced["Content-Disposition"].startswith("attachment;")


def test_a_download_is_authorized_on_every_request(world: World) -> None:
    attached = _attached(world, "shared.txt", b"shared", channel=world.secret)
    loose = upload(world.alice, world.secret, "draft.txt", b"draft")
    assert download(world.alice, loose.id).status_code == 200  # the uploader
    assert download(world.bob, attached.id).status_code == 200  # a reader of the channel
    for outsider in (world.bob, world.carol, world.dave, world.admin):
        response = download(outsider, loose.id)  # unattached: the uploader only
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
    for outsider in (world.carol, world.dave, world.admin, world.outsider):
        assert download(outsider, attached.id).status_code == 404
    channel_member_remove(actor=world.alice, channel_id=world.secret.id, user_id=world.bob.id)
    assert download(world.bob, attached.id).status_code == 404  # removed: no more access
    assert download(None, attached.id).status_code == 401
    assert download(world.alice, new_id()).status_code == 404
    assert download(world.alice, "../../etc/passwd").status_code == 404


def test_files_of_a_deleted_post_are_gone(world: World) -> None:
    info = _attached(world, "gone.txt", b"gone")
    post_delete(actor=world.alice, post_id=info.post_id)
    assert download(world.alice, info.id).status_code == 404
    assert download(world.bob, info.id).status_code == 404


# --- metadata --------------------------------------------------------------------------------


def test_file_info_follows_the_same_access_rules(world: World, api_as) -> None:
    info = _attached(world, "shared.txt", b"shared", channel=world.secret)
    body = api_as(world.bob).get(f"files/{info.id}/info")
    assert set(body) == FILE_INFO_KEYS | {"post_id"}
    assert (body["id"], body["post_id"], body["name"]) == (info.id, info.post_id, "shared.txt")
    api_as(world.dave).get(f"files/{info.id}/info", status=404)
    api_as(world.bob).get(f"files/{new_id()}/info", status=404)
    api_as(None).get(f"files/{info.id}/info", status=401)


def test_a_posts_files_are_listed_in_its_order(world: World, api_as) -> None:
    first = upload(world.alice, world.lobby, "first.txt", b"1")
    second = upload(world.alice, world.lobby, "second.png", png_bytes())
    post = say(world.alice, world.lobby, "two files", file_ids=[second.id, first.id])
    listed = api_as(world.dave).get(f"posts/{post.id}/files/info")
    assert [i["id"] for i in listed] == [second.id, first.id]
    assert listed[0]["width"] == 3 and listed[0]["post_id"] == post.id
    assert api_as(world.dave).get(f"posts/{say(world.bob, world.lobby).id}/files/info") == []
    secret = say(world.alice, world.secret, "s")
    api_as(world.dave).get(f"posts/{secret.id}/files/info", status=404)


def test_a_file_whose_bytes_are_gone_is_404_not_a_crash(world: World) -> None:
    info = _attached(world, "lost.txt", b"lost")
    default_storage.delete(info.path)
    response = download(world.bob, info.id)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_public_links_are_not_offered(world: World, api_as) -> None:
    info = _attached(world, "shared.txt", b"shared")
    body = api_as(world.bob).get(f"files/{info.id}/link", status=501)
    assert body["id"] == "api.file.get_public_link.disabled.app_error"
    api_as(world.outsider).get(f"files/{info.id}/link", status=404)
