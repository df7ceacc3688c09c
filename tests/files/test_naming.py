"""Stored file names: never a path, never control characters, never over 255 characters."""

import pytest

from apps.files.naming import clean_file_name, file_extension, mime_type_for


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("notes.txt", "notes.txt"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        ("a\x00b\x1f\x7fc.txt", "abc.txt"),
        ("bidi\u202eexe.txt", "bidiexe.txt"),
        ("  spaced name.md  ", "spaced name.md"),
        (".hidden", "hidden"),
        ("cafe\u0301.txt", "caf\u00e9.txt"),  # NFC
    ],
)
def test_file_names_are_cleaned(raw, expected) -> None:
    assert clean_file_name(raw) == expected


def test_long_names_are_cut_to_255_keeping_the_extension() -> None:
    cleaned = clean_file_name("x" * 300 + ".tar.gz")
    assert len(cleaned) == 255 and cleaned.endswith(".gz")
    assert len(clean_file_name("y" * 300)) == 255


@pytest.mark.parametrize(
    ("name", "extension", "mime_type"),
    [
        ("a.PNG", "png", "image/png"),
        ("a.jpeg", "jpeg", "image/jpeg"),
        ("a.webp", "webp", "image/webp"),
        ("a.html", "html", "text/html"),
        ("a.svg", "svg", "image/svg+xml"),
        ("archive.tar.gz", "gz", "application/gzip"),
        ("Makefile", "", "application/octet-stream"),
        ("weird.unknownext", "unknownext", "application/octet-stream"),
    ],
)
def test_extension_and_mime_type_come_from_the_name(name, extension, mime_type) -> None:
    assert file_extension(name) == extension
    assert mime_type_for(extension) == mime_type
