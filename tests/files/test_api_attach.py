"""Attaching uploads to posts over HTTP: who may attach which file, and how attached files
show in posts, lists and events."""

import json

import pytest

from apps.core.ids import new_id
from apps.files.models import FileInfo
from apps.posts.models import Post
from tests.channels.world import World, build_world, fresh, say
from tests.files.helpers import png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return build_world()


def test_a_post_with_files_carries_their_infos_and_flags_its_event(
    world: World, api_as, capture_events
) -> None:
    notes = upload(world.alice, world.lobby, "notes.txt", b"text")
    photo = upload(world.alice, world.lobby, "photo.png", png_bytes(4, 3))
    with capture_events() as events:
        body = api_as(world.alice).post(
            "posts",
            {"channel_id": world.lobby.id, "message": "", "file_ids": [photo.id, notes.id]},
            status=201,
        )
    assert body["file_ids"] == [photo.id, notes.id]
    files = body["metadata"]["files"]
    assert [f["id"] for f in files] == [photo.id, notes.id]
    assert all(f["post_id"] == body["id"] for f in files)
    assert (files[0]["width"], files[0]["height"]) == (4, 3)
    assert all("path" not in f for f in files)
    assert set(FileInfo.objects.values_list("post_id", flat=True)) == {body["id"]}
    (posted,) = events.named("posted")
    assert posted.data["otherFile"] == "true" and posted.data["image"] == "true"
    assert [f["id"] for f in json.loads(posted.data["post"])["metadata"]["files"]] == [
        photo.id,
        notes.id,
    ]
    fetched = api_as(world.bob).get(f"posts/{body['id']}")
    assert fetched["metadata"]["files"] == files


def test_a_post_with_only_other_files_is_not_flagged_as_an_image(
    world: World, capture_events
) -> None:
    notes = upload(world.alice, world.lobby, "notes.txt", b"text")
    with capture_events() as events:
        say(world.alice, world.lobby, "notes", file_ids=[notes.id])
    (posted,) = events.named("posted")
    assert posted.data["otherFile"] == "true" and "image" not in posted.data


@pytest.mark.parametrize(
    "whose",
    ["unknown", "bobs", "other-channel", "attached-elsewhere", "deleted"],
)
def test_a_file_that_may_not_be_attached_refuses_the_whole_post(
    world: World, api_as, capture_events, whose
) -> None:
    mine = upload(world.alice, world.lobby, "mine.txt", b"mine")
    if whose == "unknown":
        bad_id = new_id()
    elif whose == "bobs":
        bad_id = upload(world.bob, world.lobby, "bobs.txt", b"bob's").id
    elif whose == "other-channel":
        bad_id = upload(world.alice, world.secret, "secret.txt", b"s").id
    else:
        taken = upload(world.alice, world.lobby, "taken.txt", b"t")
        first = say(world.alice, world.lobby, "first", file_ids=[taken.id])
        bad_id = taken.id
        if whose == "deleted":
            api_as(world.alice).delete(f"posts/{first.id}")
    posts, total = Post.objects.count(), fresh(world.lobby).total_msg_count
    with capture_events() as events:
        body = api_as(world.alice).post(
            "posts",
            {"channel_id": world.lobby.id, "message": "x", "file_ids": [mine.id, bad_id]},
            status=400,
        )
    assert body["id"] == "api.post.create_post.file_ids.app_error"
    assert Post.objects.count() == posts
    assert fresh(world.lobby).total_msg_count == total
    assert FileInfo.objects.get(id=mine.id).post_id is None  # not half attached
    assert events == []


def test_more_than_ten_files_are_refused(world: World, api_as) -> None:
    ids = [upload(world.alice, world.lobby, f"{n}.txt", b"x").id for n in range(11)]
    api_as(world.alice).post(
        "posts", {"channel_id": world.lobby.id, "message": "x", "file_ids": ids}, status=400
    )
    assert not FileInfo.objects.filter(post__isnull=False).exists()


def test_editing_adds_files_and_drops_them_from_view(world: World, api_as) -> None:
    first = upload(world.alice, world.lobby, "first.txt", b"1")
    second = upload(world.alice, world.lobby, "second.txt", b"2")
    post = say(world.alice, world.lobby, "files", file_ids=[first.id])
    api = api_as(world.alice)
    body = api.put(f"posts/{post.id}/patch", {"file_ids": [second.id]})
    assert body["file_ids"] == [second.id]
    assert [f["id"] for f in body["metadata"]["files"]] == [second.id]
    assert [f["id"] for f in api.get(f"posts/{post.id}/files/info")] == [second.id]
    # The dropped file stays with the post (its history shows it) and stays readable.
    assert FileInfo.objects.get(id=first.id).post_id == post.id
    assert api_as(world.bob).get(f"files/{first.id}/info")["post_id"] == post.id
    history = api.get(f"posts/{post.id}/edit_history")
    assert history[0]["file_ids"] == [first.id]


def test_nobody_attaches_their_upload_to_another_users_post(world: World, api_as) -> None:
    post = say(world.alice, world.lobby, "alice's")
    bobs = upload(world.bob, world.lobby, "bob.txt", b"b")
    # The team admin may edit alice's post, but bob's upload is still not alice's.
    api_as(world.owner).put(f"posts/{post.id}/patch", {"file_ids": [bobs.id]}, status=400)
    api_as(world.bob).put(f"posts/{post.id}/patch", {"file_ids": [bobs.id]}, status=403)
    assert FileInfo.objects.get(id=bobs.id).post_id is None
    assert Post.objects.get(id=post.id).file_ids == []
