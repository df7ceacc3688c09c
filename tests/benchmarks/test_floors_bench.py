"""The floors benchmark (`make bench`): the rows its INSERT floor writes mirror a real
post, its Redis payload is the stated size, its load configs have the stated shape.
Structure only: speed is measured by the benchmark itself, never asserted here."""

import json
import random

from apps.posts.models import Post
from bench import floors


def test_the_insert_floor_writes_every_column_of_a_post():
    rng = random.Random(1)
    row = floors._post_row(rng, ["u" * 26], ["c" * 26], "hello")
    columns = {field.column for field in Post._meta.concrete_fields}
    assert set(row) == columns
    assert len(row["id"]) == 26 and row["message"] == "hello"
    assert row["create_at"] == row["update_at"] > 0
    statement = floors._insert_statement(list(row))
    assert statement.startswith(f"INSERT INTO {floors.FLOOR_TABLE} (id, ")
    assert statement.count("%s") == len(row)


def test_the_redis_payload_is_about_a_kilobyte_of_json():
    payload = floors._payload(7)
    assert abs(len(payload) - floors.PAYLOAD_BYTES) <= 2
    data = json.loads(payload)
    assert data["n"] == 7 and data["t"] > 0


def test_the_plans_and_the_http_floor_load():
    quick, full = floors.settings(True), floors.settings(False)
    assert quick.keys() == full.keys()
    assert all(quick[k] < full[k] for k in quick)
    config = floors.http_floor_config("http://127.0.0.1:1", seconds=3.0)
    assert config["duration_s"] == 3.0 and config["expect"] == [200]
    assert len(config["workers"]) == floors.READERS
    assert all(w["requests"][0]["path"] == "/" for w in config["workers"])
