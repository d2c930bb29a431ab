"""What an upload must be (apps/files/validation.py), pure: the declared type, the name's
extension, and the real type and pixels of the first bytes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.files.validation import declared_type, extension, head_refusal, may_be_allowed
from tests.files.samples import ELF, PDF, png, png_bomb


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_declared_type_is_the_mime_type_without_parameters():
    assert declared_type(" Image/PNG ; charset=binary") == "image/png"
    assert declared_type("") == "application/octet-stream"
    with pytest.raises(ValidationError) as refused:
        declared_type("png")
    assert refused.value.message_dict == {"content_type": ["Give a MIME type such as image/jpeg."]}


def test_before_any_byte_the_name_and_the_declared_type_decide():
    assert (extension("Photo.Final.PNG"), extension("README")) == ("png", "")
    assert may_be_allowed("application/octet-stream", "png") is True
    assert may_be_allowed("text/html", "png") is False
    assert may_be_allowed("image/png", "exe") is False


def test_the_first_bytes_give_the_real_type_and_the_refusal():
    assert head_refusal(png(), "green.png") == ("image/png", None)
    assert head_refusal(png(), "green.pdf") == (
        "image/png",
        "This file is image/png, which is not allowed here with the name green.pdf.",
    )
    assert head_refusal(PDF, "invoice.pdf") == ("application/pdf", None)
    assert head_refusal(ELF, "tool.png") == (
        "application/x-executable",
        (
            "This file is application/x-executable, which is not allowed here with the name "
            "tool.png."
        ),
    )
    assert head_refusal(b"\x00\x01\x02\x03" * 10, "x.bin") == (
        None,
        "The type of this file is not recognised.",
    )
    detected, refusal = head_refusal(png_bomb()[:65536], "bomb.png")
    assert (detected, refusal) == (
        "image/png",
        "This image has too many pixels: the limit is 50 megapixels.",
    )
