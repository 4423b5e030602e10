"""Reading back the text of a generated PDF (pypdf), for the progress report's tests."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """The text of every page, as pypdf extracts it, without the control characters it leaves where a shaped
    glyph (an Arabic joining form, a CJK glyph's high byte) has no character of its own."""
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[\x00-\x09\x0b-\x1f]", "", text)


def squeezed(text: str) -> str:
    """`text` without spaces and direction marks: Arabic comes back from a PDF with spaces between the glyph
    runs of a word, so Arabic is compared squeezed."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)
